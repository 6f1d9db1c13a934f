// Collapsed parts of a section (a matter's positions, its comment threads) stay open when the
// section is redrawn: by the live feed as others change it, or after the reader's own action.
// Which ones the reader opened is remembered by the id of the block holding them. Without
// JavaScript a redraw is a page load, and they start closed, as on any page load.
//
// The live feed (live-updates.js) holds back a redraw while a section has an open <details>
// holding a form (a reply being written). Open threads hold the Resolve and Delete forms
// without anyone writing, so just before the feed asks, an open kept part with nothing being
// written in it is closed for that moment and opened again (here, or in the fresh copy).

const KEPT = "details[data-keep-open]";
const opened = new Set();

function key(details) {
  const holder = details.parentElement && details.parentElement.closest("[id]");
  return holder ? holder.id : null;
}

const paused = new WeakSet();

document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.matches(KEPT)) return;
  if (paused.has(details)) return;
  const id = key(details);
  if (!id) return;
  if (details.open) opened.add(id); else opened.delete(id);
}, true);

document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!root.querySelectorAll) return;
  const found = root.matches(KEPT) ? [root] : Array.from(root.querySelectorAll(KEPT));
  found.forEach((details) => {
    if (opened.has(key(details))) details.open = true;
  });
});

// Something is being written in it: a field with focus or changed text, a comment being
// edited, or a form opened in a nested <details> (a reply).
function writing(details) {
  const active = document.activeElement;
  if (active && details.contains(active) && active.matches("textarea, input, select")) return true;
  if (details.querySelector("[data-comment-edit], :scope details[open] form")) return true;
  return Array.from(details.querySelectorAll("textarea")).some((t) => t.value !== t.defaultValue);
}

// Capture on window: before live-updates.js (listening on document) decides.
window.addEventListener("htmx:oobBeforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.querySelectorAll) return;
  const idle = Array.from(target.querySelectorAll(`${KEPT}[open]`)).filter((d) => !writing(d));
  idle.forEach((details) => { paused.add(details); details.open = false; });
  if (!idle.length) return;
  setTimeout(() => {
    idle.forEach((details) => {
      if (details.isConnected) details.open = true;     // the redraw was held: as it was
      paused.delete(details);
    });
  }, 0);
}, true);
