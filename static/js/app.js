// Common Ground's small behaviours. No inline script anywhere: the CSP forbids it.
import { initAll } from "../vendor/govuk-frontend-5.14.0.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Select the whole invitation link when it gets focus, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});
