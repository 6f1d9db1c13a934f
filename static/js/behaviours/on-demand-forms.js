// Forms fetched on demand ([data-on-demand], review/_on_demand.html): opening a <details>
// fetches its form in place of a link. If keyboard focus had reached that link before the form
// arrived, it would be lost with it: move it to the form's first field (a text box, or the first
// choice of a position form).
let openedFrom = null;

document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.matches || !target.matches("[data-on-demand]")) return;
  openedFrom = target.contains(document.activeElement) ? target.closest("details") : null;
});

document.addEventListener("htmx:afterSettle", () => {
  if (!openedFrom) return;
  const field = openedFrom.querySelector("textarea, input:not([type=hidden])");
  openedFrom = null;
  if (field) field.focus();
});
