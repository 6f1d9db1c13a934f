// Putting focus on an element that may not take it by itself (a heading, a caption, a box),
// and, after the person's own action, making sure it can be seen.

const FOCUSABLE = "a[href], button, input, textarea, select, summary, [tabindex]";
// Room kept below a focused element's top edge, so that a text box shows a line or two.
const ROOM = 48;

export function focusOn(element, { reveal = false } = {}) {
  if (!element.matches(FOCUSABLE)) element.setAttribute("tabindex", "-1");
  element.focus();
  if (!reveal) return;
  // Focus given while htmx is still settling a swap does not always scroll (an editor opened
  // with Enter from a link low in the window stayed below its foot): bring it into view once
  // the page is laid out. Not for focus put back after a live redraw: the reader may have
  // scrolled away from it on purpose.
  requestAnimationFrame(() => {
    if (document.activeElement !== element) return;
    const box = element.getBoundingClientRect();
    if (box.top < 0 || box.top > window.innerHeight - ROOM) {
      element.scrollIntoView({ block: box.height > window.innerHeight - ROOM ? "start" : "center" });
    }
  });
}
