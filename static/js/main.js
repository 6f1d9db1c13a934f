// Common Ground's small behaviours, one module each, bound to data- attributes.
// No inline script anywhere: the CSP forbids it. Everything here is an enhancement: every
// action also works as a plain form or link.
import { initAll } from "../vendor/govuk-frontend-6.6.0.components.min.js";
import "./behaviours/focus-after-swap.js";
import "./behaviours/select-on-focus.js";
import "./behaviours/copy-link.js";
import "./behaviours/editor-toolbar.js";
import "./behaviours/table-editor.js";
import "./behaviours/editor-presence.js";
import "./behaviours/paste-from-word.js";
import "./behaviours/unsaved-text.js";
import "./behaviours/live-updates.js";
import "./behaviours/comment-counts.js";
import "./behaviours/position-counts.js";
import "./behaviours/table-scroll.js";
import "./behaviours/keep-open.js";
import "./behaviours/suggestion-counts.js";
import "./behaviours/on-demand-forms.js";
import "./behaviours/register-focus.js";
import "./behaviours/contents-current.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
