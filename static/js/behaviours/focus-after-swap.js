// The one rule for focus after htmx swaps content in, so that keyboard and screen-reader
// users stay where they were when the control they used is replaced:
//   1. the element the server marked with data-focus-after-swap (a container so marked,
//      such as a row editor, gives focus to its first field);
//   2. else the error summary;
//   3. else the status message (data-status-message).
// With none of these in the new content, focus is left alone. Blocks marked data-keep-focus
// (the engagement register) put it back on the control used instead: see register-focus.js.
import { focusOn } from "./focus.js";

const RULE = ["[data-focus-after-swap]", ".govuk-error-summary", "[data-status-message]"];
const FIELD = "input:not([type=hidden]), select, textarea";

function within(root, selector) {
  return root.matches(selector) ? root : root.querySelector(selector);
}

export function elementToFocus(root) {
  for (const selector of RULE) {
    const element = within(root, selector);
    if (!element) continue;
    if (selector === RULE[0] && !element.matches(`${FIELD}, a[href], button, summary, [tabindex]`)) {
      return element.querySelector(FIELD) || element;
    }
    return element;
  }
  return null;
}

// htmx fires afterSwap on each element it put in the page (the target itself for an inner
// swap), out-of-band ones included: those (the live feed's redraws) are not the answer to what
// this person did, so they leave focus alone (live-updates.js keeps it where it was).
const outOfBand = new WeakSet();
document.addEventListener("htmx:oobAfterSwap", (event) => outOfBand.add(event.target));

document.addEventListener("htmx:afterSwap", (event) => {
  const root = event.target;
  if (!root.matches || root.matches("[data-keep-focus]")) return;
  if (outOfBand.has(root) && root !== event.detail.target) return;
  const element = elementToFocus(root);
  if (element) focusOn(element, { reveal: true });
});

// The same rule for a whole page that answers a form sent without htmx (a confirmation page's
// button, JavaScript off when the form was drawn): the answer leads back to the section
// (#section-N) with the confirmation in it, which a screen reader would not read out, being
// there from the start. Focus goes to it, as after a swap.
// After the page has loaded: the browser's own move to the #fragment comes first.
window.addEventListener("load", () => {
  const arrivedAt = location.hash.length > 1 &&
    document.getElementById(decodeURIComponent(location.hash.slice(1)));
  const message = arrivedAt && arrivedAt.querySelector("[data-status-message]");
  if (message) focusOn(message);
});
