// Presence in an open editor ([data-presence-heartbeat], templates/documents/_editor_presence.html).
// While the page is visible, each open editor sends a heartbeat (the element's cg:heartbeat,
// an htmx POST) every data-presence-heartbeat seconds: it keeps "Name is editing" showing to
// others and brings back who else is editing the section. When the page is hidden or closed,
// a beacon to data-presence-leave ends the person's presence at once; when it is shown again,
// a heartbeat brings it back. Without JavaScript, opening the editor records presence once.
const DEFAULT_SECONDS = 10;
const lastBeat = new Map();          // element id -> time of its last heartbeat

function editors() {
  return Array.from(document.querySelectorAll("[data-presence-heartbeat]"));
}

function beat(element) {
  lastBeat.set(element.id, Date.now());
  element.dispatchEvent(new CustomEvent("cg:heartbeat"));
}

function tick() {
  if (document.hidden) return;
  editors().forEach((element) => {
    const seconds = Number(element.dataset.presenceHeartbeat);
    const last = lastBeat.get(element.id);
    if (!seconds) {
      // Drawn without the server's list (nor its interval): ask for them now.
      if (last === undefined || Date.now() - last >= DEFAULT_SECONDS * 1000) beat(element);
    } else if (last === undefined) {
      lastBeat.set(element.id, Date.now());     // just drawn by the server: count from now
    } else if (Date.now() - last >= seconds * 1000) {
      beat(element);
    }
  });
}

function csrfToken(element) {
  const field = element.closest("section")?.querySelector("input[name=csrf_token]");
  if (field) return field.value;
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function leave() {
  editors().forEach((element) => {
    const body = new FormData();
    body.append("csrf_token", csrfToken(element));
    navigator.sendBeacon(element.dataset.presenceLeave, body);
    lastBeat.delete(element.id);
  });
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    leave();
  } else {
    editors().forEach(beat);
  }
});
window.addEventListener("pagehide", leave);
// Back from the back/forward cache: present again.
window.addEventListener("pageshow", (event) => { if (event.persisted) editors().forEach(beat); });
window.setInterval(tick, 1000);
