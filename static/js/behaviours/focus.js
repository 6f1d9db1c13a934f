// Putting focus on an element that may not take it by itself (a heading, a caption, a box).

const FOCUSABLE = "a[href], button, input, textarea, select, summary, [tabindex]";

export function focusOn(element) {
  if (!element.matches(FOCUSABLE)) element.setAttribute("tabindex", "-1");
  element.focus();
}
