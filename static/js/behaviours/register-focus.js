// A block marked data-keep-focus (the engagement register) is swapped whole when sorted or
// filtered: put focus back on the control used (the same sort link, field or Filter button),
// else on the block's caption. The server cannot mark it, as it does not know which was used.
import { focusOn } from "./focus.js";

let returnTo = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.matches || !target.matches("[data-keep-focus]")) return;
  const active = document.activeElement;
  returnTo = null;
  if (!active || !target.contains(active)) return;
  if (active.dataset.sortKey) returnTo = `[data-sort-key="${active.dataset.sortKey}"]`;
  else if (active.id) returnTo = `#${CSS.escape(active.id)}`;
  else if (active.closest(".cg-filters")) returnTo = ".cg-filters [type=submit]";
});

document.addEventListener("htmx:afterSwap", (event) => {
  const block = event.target;
  if (!block.matches || !block.matches("[data-keep-focus]")) return;
  const selector = returnTo;
  returnTo = null;
  if (!selector) return;
  const element = block.querySelector(selector) || block.querySelector("caption");
  if (element) focusOn(element);
});
