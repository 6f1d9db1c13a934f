// The section editor's formatting toolbar ([data-toolbar], aria-controls names its textarea;
// each button's data-format says what it writes; the Table button opens table-editor.js's
// dialog) and Preview button ([data-preview]): both hidden without JavaScript, shown
// whenever an editor appears.
import { replaceSelection } from "./text-editing.js";

const FORMATS = {
  bold: { wrap: ["**", "**"], placeholder: "bold text" },
  italic: { wrap: ["*", "*"], placeholder: "italic text" },
  link: { wrap: ["[", "](https://)"], placeholder: "link text" },
  heading: { line: "### " },
  bullets: { line: "- " },
  numbers: { line: "1. " },
};

function applyFormat(textarea, name) {
  const format = FORMATS[name];
  const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
  if (format.wrap) {
    const inner = selected || format.placeholder;
    const [before, after] = format.wrap;
    replaceSelection(textarea, before + inner + after, before.length, before.length + inner.length);
  } else {
    const lines = (selected || "").split("\n");
    replaceSelection(textarea, lines.map((l) => format.line + l).join("\n"));
  }
}

document.addEventListener("click", (event) => {
  const tool = event.target.closest("[data-format]");
  if (!tool) return;
  const toolbar = tool.closest("[data-toolbar]");
  const textarea = document.getElementById(toolbar.getAttribute("aria-controls"));
  applyFormat(textarea, tool.dataset.format);
});

function showControls(root) {
  root.querySelectorAll("[data-toolbar], [data-preview]").forEach((el) => { el.hidden = false; });
}
showControls(document);
document.addEventListener("htmx:load", (event) => showControls(event.detail.elt));
