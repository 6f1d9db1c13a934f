// Collapsed parts of a section (a matter's positions, its comment threads) stay open when the
// section is redrawn: by the live feed as others change it, or after the reader's own action.
// Which ones the reader opened is remembered by the id of the block holding them. Without
// JavaScript a redraw is a page load, and they start closed, as on any page load.
// (An open part holds no redraw back by being open: live-updates.js waits only while someone
// is working in a form.)

const KEPT = "details[data-keep-open]";
const opened = new Set();

function key(details) {
  const holder = details.parentElement && details.parentElement.closest("[id]");
  return holder ? holder.id : null;
}

document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.matches(KEPT)) return;
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
