// Live updates on the document page. The change feed ([data-live-feed], polled by htmx) is told
// which sections have an editor open here, and redraws sections as others change them. A redraw
// is held back while this person is working in one of the section's forms (comments,
// suggestions, positions) and fetched again once they have finished; otherwise it goes through and focus goes back where it was (the same
// control, found by id, text or form, else the heading of the comments or of the section).
// A section with this person's own request in flight (a save being sent) is not redrawn under
// it: the answer to that request is what they wait for, and it decides where focus goes.
// A confirmation shown after this person's action ([data-status-message], such as "position
// recorded") is carried into the redrawn section, so a redraw never wipes it: it goes when the
// person's next action redraws that part, or when they leave the page.
import { focusOn } from "./focus.js";

document.addEventListener("htmx:configRequest", (event) => {
  if (!event.detail.elt.matches("[data-live-feed]")) return;
  const editing = Array.from(document.querySelectorAll("[data-editing-section]")).map((section) => {
    const base = section.querySelector("[data-base-version]");
    return `${section.dataset.editingSection}:${base ? base.value : 0}`;
  });
  if (editing.length) event.detail.parameters.editing = editing.join(",");
});

// Working in a form: focus in a field, a field changed and not sent, a comment open for
// editing, a form answered with messages, or a form just opened (focus still on the summary
// of the <details> holding it, or being fetched: see inFlight). A form opened and left
// untouched holds nothing back: the redraw goes through (and closes it). Open <details>' own
// Resolve or Delete buttons hold nothing.
const AREAS = ".cg-comments, .cg-suggestions, .cg-positions";

function working(section) {
  return Array.from(section.querySelectorAll(AREAS)).some(formsBusy);
}

function changed(field) {
  if (field.matches("input[type=checkbox], input[type=radio]")) return field.checked !== field.defaultChecked;
  if (field.matches("select[multiple]")) return Array.from(field.options).some((o) => o.selected !== o.defaultSelected);
  if (field.matches("select")) {
    // With no option marked selected the first one is shown: that is its unchanged state.
    let initial = 0;
    Array.from(field.options).forEach((o, i) => { if (o.defaultSelected) initial = i; });
    return field.selectedIndex !== initial;
  }
  if (field.matches("input[type=hidden], input[type=submit], input[type=button]")) return false;
  return field.value !== field.defaultValue;
}

function justOpened(active, area) {
  if (!active.matches("summary")) return false;
  const details = active.parentElement;
  if (!(details instanceof HTMLDetailsElement) || !details.open || details.matches("[data-keep-open]")) return false;
  return area.contains(details) && details.querySelector("form, [data-on-demand]") !== null;
}

function formsBusy(area) {
  const active = document.activeElement;
  if (active && area.contains(active)) {
    if (active.matches("textarea, input, select")) return true;
    if (justOpened(active, area)) return true;
  }
  if (area.querySelector("[data-comment-edit]")) return true;
  // A form sent and answered with messages (what was typed is kept in it as posted, so no
  // field differs from its default): still being worked on until it is sent again.
  if (area.querySelector(".govuk-error-summary")) return true;
  return Array.from(area.querySelectorAll("textarea, input, select")).some(changed);
}

// htmx marks the element that sent a request with .htmx-request until its answer is in.
function inFlight(section) {
  return section.matches(".htmx-request") || section.querySelector(".htmx-request") !== null;
}

let focusAfterSwap = null;

function focusKey(section) {
  const active = document.activeElement;
  if (!active || active === document.body || !section.contains(active)) return null;
  if (active.id) return { id: active.id };
  // A link or a <details> summary has no id: find it again by its text, else the heading.
  if (active.matches("a[href], summary")) {
    return { section: section.id, tag: active.tagName, text: active.textContent, heading: ".cg-section__title" };
  }
  const form = active.closest("form");
  if (form && active.matches("button")) {
    return { action: form.getAttribute("action"), section: section.id, heading: ".cg-section__title" };
  }
  return { section: section.id, heading: active.closest(".cg-comments") ? ".cg-comments__title" : ".cg-section__title" };
}

let focusedMessage = null;

// Put the confirmations shown in `section` into its fresh copy, each in the element (by id)
// it was in, unless the fresh copy already says something there.
function keepMessages(section, fresh) {
  section.querySelectorAll("[data-status-message]").forEach((message) => {
    const holder = message.parentElement && message.parentElement.closest("[id]");
    if (!holder || !section.contains(holder)) return;
    const freshHolder = holder === section ? fresh : fresh.querySelector(`#${CSS.escape(holder.id)}`);
    if (!freshHolder) return;
    const already = freshHolder.querySelector("[data-status-message]");
    if (already) {
      if (document.activeElement === message) focusedMessage = already;
      return;
    }
    const kept = message.cloneNode(true);
    freshHolder.prepend(kept);
    if (document.activeElement === message) focusedMessage = kept;
  });
}

function findAgain(key) {
  const fresh = key.section ? document.getElementById(key.section) : null;
  let element = fresh && key.tag ? Array.from(fresh.querySelectorAll(key.tag)).find((el) => el.textContent === key.text) : null;
  if (!element && key.id) element = document.getElementById(key.id);
  if (!element && key.action) {
    const form = Array.from(document.querySelectorAll("form")).find((f) => f.getAttribute("action") === key.action);
    element = form && form.querySelector("button");
  }
  if (!element && fresh && key.heading) element = fresh.querySelector(key.heading);
  return element;
}

document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.matches) return;
  if (target.matches(".cg-sections")) {
    // The structure changed: every section comes again. Keep the ones being written in.
    target.querySelectorAll(".cg-section").forEach((section) => {
      const fresh = event.detail.fragment.querySelector(`#${section.id}`);
      if (!fresh) return;
      if (!working(section) && !inFlight(section)) { keepMessages(section, fresh); return; }
      focusAfterSwap = focusKey(section) || focusAfterSwap;
      section.dataset.refreshPending = "1";
      fresh.replaceWith(section);
    });
    return;
  }
  if (!target.matches(".cg-section")) return;
  if (working(target) || inFlight(target)) {
    event.detail.shouldSwap = false;
    target.dataset.refreshPending = "1";
    return;
  }
  const fresh = event.detail.fragment && event.detail.fragment.querySelector(`#${CSS.escape(target.id)}`);
  if (fresh) keepMessages(target, fresh);
  focusAfterSwap = focusKey(target);
});

document.addEventListener("htmx:oobAfterSwap", () => {
  if (focusedMessage) {
    const message = focusedMessage;
    focusedMessage = focusAfterSwap = null;
    if (message.isConnected) focusOn(message);
    return;
  }
  if (!focusAfterSwap) return;
  const element = findAgain(focusAfterSwap);
  focusAfterSwap = null;
  if (element) focusOn(element);
});

// After each poll, fetch again the sections held back whose forms are now idle.
document.addEventListener("htmx:afterRequest", (event) => {
  if (!event.detail.elt.matches || !event.detail.elt.matches("[data-live-feed]")) return;
  document.querySelectorAll(".cg-section[data-refresh-pending]").forEach((section) => {
    if (section.matches("[data-editing-section]")) { delete section.dataset.refreshPending; return; }
    if (working(section) || inFlight(section)) return;
    const source = section.querySelector("[data-section-url]");
    delete section.dataset.refreshPending;
    if (source && window.htmx) {
      // The fetched copy replaces the section: focus goes back where it was in it.
      const key = focusKey(section);
      window.htmx.ajax("GET", source.dataset.sectionUrl, { target: `#${section.id}`, swap: "outerHTML" })
        .then(() => {
          const element = key && findAgain(key);
          if (element && document.activeElement !== element) focusOn(element);
        });
    }
  });
});
