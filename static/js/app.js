// Common Ground's small behaviours. No inline script anywhere: the CSP forbids it.
// Everything here is an enhancement: every action also works as a plain form or link.
import { initAll } from "../vendor/govuk-frontend-5.14.0.min.js";
import TurndownService from "../vendor/turndown-7.2.5.browser.es.js";
import { gfm } from "../vendor/turndown-plugin-gfm-1.0.2.browser.es.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// Select the whole invitation link when it gets focus, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});

// "Copy link" buttons: hidden without JavaScript (the field can still be selected and copied).
for (const button of document.querySelectorAll("[data-copy-target]")) button.hidden = false;
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const id = button.dataset.copyTarget;
  const field = document.getElementById(id);
  const status = document.querySelector(`[data-copy-status="${id}"]`);
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    if (status) status.textContent = "Link copied.";
  } catch {
    if (status) status.textContent = "Press Ctrl+C (or Cmd+C) to copy the selected link.";
  }
});

// ---- Editor: toolbar, preview, paste from Word, unsaved-text guard -----------------------

const FORMATS = {
  bold: { wrap: ["**", "**"], placeholder: "bold text" },
  italic: { wrap: ["*", "*"], placeholder: "italic text" },
  link: { wrap: ["[", "](https://)"], placeholder: "link text" },
  heading: { line: "### " },
  bullets: { line: "- " },
  numbers: { line: "1. " },
  table: { block: "| Heading | Heading |\n|---|---|\n| Cell | Cell |\n" },
};

function replaceSelection(textarea, text, selectFrom, selectTo) {
  const start = textarea.selectionStart;
  textarea.setRangeText(text, start, textarea.selectionEnd, "end");
  if (selectFrom !== undefined) {
    textarea.setSelectionRange(start + selectFrom, start + selectTo);
  }
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.focus();
}

function applyFormat(textarea, name) {
  const format = FORMATS[name];
  const selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
  if (format.wrap) {
    const inner = selected || format.placeholder;
    const [before, after] = format.wrap;
    replaceSelection(textarea, before + inner + after, before.length, before.length + inner.length);
  } else if (format.line) {
    const lines = (selected || "").split("\n");
    replaceSelection(textarea, lines.map((l) => format.line + l).join("\n"));
  } else {
    const prefix = textarea.selectionStart > 0 ? "\n\n" : "";
    replaceSelection(textarea, prefix + format.block);
  }
}

document.addEventListener("click", (event) => {
  const tool = event.target.closest("[data-format]");
  if (!tool) return;
  const toolbar = tool.closest("[data-toolbar]");
  const textarea = document.getElementById(toolbar.getAttribute("aria-controls"));
  applyFormat(textarea, tool.dataset.format);
});

// Word and web pages put HTML on the clipboard: turn it into Markdown, keeping headings,
// lists and tables. Word's tables have no header cells, so the first row becomes the header.
const turndown = new TurndownService({ headingStyle: "atx", bulletListMarker: "-", codeBlockStyle: "fenced" });
turndown.use(gfm);
turndown.remove(["script", "style", "meta", "link", "title", "img", "o:p"]);
// List items as people type them ("- item", "1. item"), not Turndown's "-   item"; lines
// after the first are indented to the item's text, so nested lists and paragraphs stay put.
turndown.addRule("listItem", {
  filter: "li",
  replacement(content, node, options) {
    const parent = node.parentNode;
    let prefix = `${options.bulletListMarker} `;
    if (parent.nodeName === "OL") {
      const start = parent.getAttribute("start");
      const index = Array.prototype.indexOf.call(parent.children, node);
      prefix = `${start ? Number(start) + index : index + 1}. `;
    }
    const isParagraph = /\n$/.test(content);
    const text = content.replace(/^\n+/, "").replace(/\n+$/, "") + (isParagraph ? "\n" : "");
    const indented = text.replace(/\n/gm, `\n${" ".repeat(prefix.length)}`).replace(/^ +$/gm, "");
    return prefix + indented + (node.nextSibling ? "\n" : "");
  },
});

export function htmlToMarkdown(html) {
  const doc = new DOMParser().parseFromString(html, "text/html");
  doc.querySelectorAll("table").forEach((table) => {
    const first = table.rows[0];
    if (!first || first.querySelector("th")) return;
    const head = doc.createElement("thead");
    const row = doc.createElement("tr");
    Array.from(first.cells).forEach((cell) => {
      const th = doc.createElement("th");
      th.textContent = cell.textContent.trim();
      row.appendChild(th);
    });
    head.appendChild(row);
    first.remove();
    table.insertBefore(head, table.firstChild);
  });
  // Word marks list paragraphs with a class rather than <li>: keep their text as bullets.
  doc.querySelectorAll("p.MsoListParagraph, p.MsoListParagraphCxSpFirst, p.MsoListParagraphCxSpMiddle, p.MsoListParagraphCxSpLast").forEach((p) => {
    const li = doc.createElement("li");
    li.textContent = p.textContent.replace(/^[\s\u00b7\u2022o§-]+/, "").trim();
    let list = p.previousElementSibling;
    if (!list || list.tagName !== "UL" || !list.dataset.fromWord) {
      list = doc.createElement("ul");
      list.dataset.fromWord = "1";
      p.before(list);
    }
    list.appendChild(li);
    p.remove();
  });
  return turndown.turndown(doc.body).trim() + "\n";
}
window.commonGround = { htmlToMarkdown };

document.addEventListener("paste", (event) => {
  const textarea = event.target.closest("textarea.cg-editor");
  if (!textarea) return;
  const html = event.clipboardData && event.clipboardData.getData("text/html");
  if (!html) return;
  event.preventDefault();
  replaceSelection(textarea, htmlToMarkdown(html));
});

// Show the JavaScript-only controls inside an editor when it appears.
function enhance(root) {
  root.querySelectorAll("[data-toolbar], [data-preview]").forEach((el) => { el.hidden = false; });
  root.querySelectorAll("textarea.cg-editor").forEach((textarea) => {
    textarea.dataset.original = textarea.value;
  });
}
enhance(document);
document.addEventListener("htmx:load", (event) => enhance(event.detail.elt));

// Focus: after the editor opens, put the cursor in it; after a save, on the section.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.id || !target.id.startsWith("section-")) return;
  const fresh = document.getElementById(target.id);
  if (!fresh) return;
  const problem = fresh.querySelector(".govuk-error-summary, .cg-conflict");
  const textarea = fresh.querySelector("textarea.cg-editor");
  if (problem) problem.focus();
  else if (textarea) textarea.focus();
  else {
    const heading = fresh.querySelector("h2");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
});

function dirtyEditors() {
  return Array.from(document.querySelectorAll("textarea.cg-editor"))
    .filter((t) => t.value !== t.dataset.original);
}

// Comments, replies and "feedback sought" questions typed but not posted.
function unsentDrafts() {
  return Array.from(document.querySelectorAll("textarea[data-comment-draft]"))
    .filter((t) => t.value !== t.defaultValue);
}

let submitting = false;
document.addEventListener("submit", () => { submitting = true; });
document.addEventListener("htmx:beforeRequest", (event) => {
  if (event.detail.elt.matches("[data-editor], [data-editor] button")) submitting = true;
});
document.addEventListener("htmx:afterRequest", () => { submitting = false; });
window.addEventListener("beforeunload", (event) => {
  if (!submitting && (dirtyEditors().length || unsentDrafts().length)) {
    event.preventDefault();
    event.returnValue = "";
  }
});

// Cancel with unsaved text asks first.
document.addEventListener("htmx:confirm", (event) => {
  if (!event.detail.elt.matches("[data-cancel]")) return;
  const textarea = event.detail.elt.closest("form").querySelector("textarea.cg-editor");
  if (textarea && textarea.value !== textarea.dataset.original) {
    event.preventDefault();
    if (window.confirm("Discard your unsaved changes to this section?")) event.detail.issueRequest(true);
  }
});

// ---- Live updates: tell the change feed which sections have an editor open here -----------

document.addEventListener("htmx:configRequest", (event) => {
  if (!event.detail.elt.matches("[data-live-feed]")) return;
  const editing = Array.from(document.querySelectorAll("[data-editing-section]")).map((section) => {
    const base = section.querySelector("[data-base-version]");
    return `${section.dataset.editingSection}:${base ? base.value : 0}`;
  });
  if (editing.length) event.detail.parameters.editing = editing.join(",");
});

// ---- Comments: focus after a swap, and never wipe a comment being written ----------------

// After a comment action swaps a section's comments block (or just one of its forms), put
// focus on the problem, the status message or the edit box, so keyboard and screen-reader
// users stay where they were.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.id || !/^(comments|comment-form|reply-form|comment-edit-form|comment|feedback-form)-\d+$/.test(target.id)) return;
  const fresh = document.getElementById(target.id) ||
    document.getElementById(target.id.replace(/^comment-/, "comment-edit-form-"));
  if (!fresh) return;
  const invalid = fresh.querySelector(".govuk-textarea--error");
  const status = fresh.querySelector("[data-comment-status]");
  const textarea = fresh.matches("form") ? fresh.querySelector("textarea") : null;
  if (invalid) invalid.focus();
  else if (status) status.focus();
  else if (textarea) textarea.focus();
});

// The live feed re-renders a section when someone comments on it. Hold that back while this
// person is writing in the section's comment forms (text typed, focus in a text box, or a
// comment open for editing) and fetch the section again once they have finished. Otherwise
// let it through, and put focus back where it was (the same button, or the comments heading).
function commentsBusy(section) {
  const comments = section.querySelector(".cg-comments");
  if (!comments) return false;
  const active = document.activeElement;
  if (active && comments.contains(active) && active.matches("textarea, input, select")) return true;
  if (comments.querySelector("form[id^='comment-edit-form-']")) return true;
  // A comment, reply or feedback form opened (fetched on demand) and not yet used.
  if (comments.querySelector("details[open] form")) return true;
  return Array.from(comments.querySelectorAll("textarea")).some((t) => t.value !== t.defaultValue);
}

let focusAfterSwap = null;

function focusKey(section) {
  const active = document.activeElement;
  if (!active || active === document.body || !section.contains(active)) return null;
  if (active.id) return { id: active.id };
  // A link or a <details> summary has no id: find it again by its text, else the heading.
  if (active.matches("a[href], summary")) {
    return { section: section.id, tag: active.tagName, text: active.textContent, id: `${section.id}-title` };
  }
  const form = active.closest("form");
  if (form && active.matches("button")) return { action: form.getAttribute("action") };
  const comments = active.closest(".cg-comments");
  return comments ? { id: `${comments.id}-title` } : { id: `${section.id}-title` };
}

document.addEventListener("htmx:oobBeforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.matches) return;
  if (target.id === "sections") {
    // The structure changed: every section comes again. Keep the ones being written in.
    target.querySelectorAll(".cg-section").forEach((section) => {
      if (!commentsBusy(section)) return;
      const fresh = event.detail.fragment.querySelector(`#${section.id}`);
      if (!fresh) return;
      focusAfterSwap = focusKey(section) || focusAfterSwap;
      section.dataset.refreshPending = "1";
      fresh.replaceWith(section);
    });
    return;
  }
  if (!target.matches(".cg-section")) return;
  if (commentsBusy(target)) {
    event.detail.shouldSwap = false;
    target.dataset.refreshPending = "1";
    return;
  }
  focusAfterSwap = focusKey(target);
});

document.addEventListener("htmx:oobAfterSwap", () => {
  if (!focusAfterSwap) return;
  const key = focusAfterSwap;
  focusAfterSwap = null;
  const fresh = key.section ? document.getElementById(key.section) : null;
  let element = fresh ? Array.from(fresh.querySelectorAll(key.tag)).find((el) => el.textContent === key.text) : null;
  if (!element && key.id) element = document.getElementById(key.id);
  if (!element && key.action) {
    const form = Array.from(document.querySelectorAll("form")).find((f) => f.getAttribute("action") === key.action);
    element = form && form.querySelector("button");
  }
  if (!element) return;
  if (!element.matches("a, button, input, textarea, select, summary, [tabindex]")) element.setAttribute("tabindex", "-1");
  element.focus();
});

document.addEventListener("htmx:afterRequest", (event) => {
  if (!event.detail.elt.matches || !event.detail.elt.matches("[data-live-feed]")) return;
  document.querySelectorAll(".cg-section[data-refresh-pending]").forEach((section) => {
    if (section.matches("[data-editing-section]")) { delete section.dataset.refreshPending; return; }
    if (commentsBusy(section)) return;
    const source = section.querySelector("[data-section-url]");
    delete section.dataset.refreshPending;
    if (source && window.htmx) {
      window.htmx.ajax("GET", source.dataset.sectionUrl, { target: `#${section.id}`, swap: "outerHTML" });
    }
  });
});

// Keep the contents list's open comment counts (and the total beside the filter link) in step
// with each section's comments block whenever one is swapped in, by this person's own action
// or by the live feed.
function plural(n) { return `${n} open comment${n === 1 ? "" : "s"}`; }

document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!root.querySelectorAll) return;
  const blocks = root.matches(".cg-comments[data-open-count]") ? [root] :
    Array.from(root.querySelectorAll(".cg-comments[data-open-count]"));
  blocks.forEach((block) => {
    const sectionId = block.id.replace("comments-", "");
    const count = document.querySelector(`[data-open-count-for="${sectionId}"]`);
    if (!count) return;
    const before = Number(count.dataset.open || (count.textContent.match(/\d+/) || ["0"])[0]);
    const after = Number(block.dataset.openCount);
    count.dataset.open = String(after);
    if (before === after) return;
    count.textContent = after ? plural(after) : "";
    const total = document.querySelector("[data-open-total]");
    if (total) {
      const sum = Math.max(0, Number(total.dataset.openTotal) + after - before);
      total.dataset.openTotal = String(sum);
      total.textContent = plural(sum);
    }
  });
});

// ---- Positions: keep focus in the block htmx swapped ------------------------------------

// Recording a position (or marking a strategic matter) replaces the section's positions
// block, and the focused button with it: put focus on the problem or on the confirmation, so
// keyboard and screen-reader users stay where they were.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.id || !/^positions-\d+$/.test(target.id)) return;
  const fresh = document.getElementById(target.id);
  if (!fresh) return;
  const next = fresh.querySelector(".govuk-error-summary") || fresh.querySelector("[data-positions-status]");
  if (next) next.focus();
});

// ---- Forms fetched on demand (review/_on_demand.html) -----------------------------------

// Opening a <details> fetches its form in place of a link. If keyboard focus had reached that
// link before the form arrived, it would be lost with it: move it to the form's text box.
let onDemandFocus = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.matches || !target.matches(".cg-on-demand")) return;
  onDemandFocus = target.contains(document.activeElement) ? target.closest("details") : null;
});
document.addEventListener("htmx:afterSettle", () => {
  if (!onDemandFocus) return;
  const field = onDemandFocus.querySelector("textarea, input:not([type=hidden])");
  onDemandFocus = null;
  if (field) field.focus();
});

// ---- Engagement register: keep focus in the row being changed, and on the sort control ----

// "Change" swaps a row for its editor, and Save or Cancel swaps it back: each takes away the
// focused control. Put focus on the problem (a 422), on the editor's first field, or on the
// row's "Change" link. Removing a row (or sorting or filtering, which replace the register)
// puts it on the same control again, or on the register's caption.
let registerFocus = null;
document.addEventListener("htmx:beforeSwap", (event) => {
  const target = event.detail.target;
  if (!target || target.id !== "register") return;
  const active = document.activeElement;
  registerFocus = null;
  if (!active || !target.contains(active)) return;
  if (active.dataset.sortKey) registerFocus = `[data-sort-key="${active.dataset.sortKey}"]`;
  else if (active.id) registerFocus = `#${CSS.escape(active.id)}`;
  else if (active.closest(".cg-filters")) registerFocus = ".cg-filters [type=submit]";
});

function focusRegisterCaption() {
  const caption = document.querySelector("#register caption");
  if (!caption) return;
  caption.setAttribute("tabindex", "-1");
  caption.focus();
}

document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || !target.id) return;
  if (target.id === "register") {
    const selector = registerFocus;
    registerFocus = null;
    const element = selector && document.querySelector(`#register ${selector}`);
    if (element) element.focus();
    else if (selector) focusRegisterCaption();
    return;
  }
  if (!/^stakeholder-\d+$/.test(target.id)) return;
  const fresh = document.getElementById(target.id);
  if (!fresh) { focusRegisterCaption(); return; }          // removed
  const problem = fresh.querySelector(".govuk-error-summary");
  // (Not by class: htmx settles "class" after this event, so the row still has the old one.)
  const field = fresh.querySelector("input:not([type=hidden]), select, textarea");
  const change = fresh.querySelector("a[hx-get*='/edit']");
  if (problem) { problem.setAttribute("tabindex", "-1"); problem.focus(); }
  else if (fresh.querySelector("form[hx-post] .govuk-form-group") && field) field.focus();  // editor
  else if (change) change.focus();
});
