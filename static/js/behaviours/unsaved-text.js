// Never lose text typed but not saved: leaving the page with an edited section
// (textarea.cg-editor) or an unsent comment, reply or question (textarea[data-comment-draft])
// asks first, and so does Cancel ([data-cancel]) in an editor with unsaved text.

function remember(root) {
  root.querySelectorAll("textarea.cg-editor").forEach((textarea) => {
    // The text as the server sent it (defaultValue), not the value now: typing that starts
    // before htmx has settled the swap must still count as unsaved.
    textarea.dataset.original = textarea.defaultValue;
  });
}
remember(document);
document.addEventListener("htmx:load", (event) => remember(event.detail.elt));

function dirtyEditors() {
  return Array.from(document.querySelectorAll("textarea.cg-editor"))
    .filter((t) => t.value !== t.dataset.original);
}

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

document.addEventListener("htmx:confirm", (event) => {
  if (!event.detail.elt.matches("[data-cancel]")) return;
  const textarea = event.detail.elt.closest("form").querySelector("textarea.cg-editor");
  if (textarea && textarea.value !== textarea.dataset.original) {
    event.preventDefault();
    if (window.confirm("Discard your unsaved changes to this section?")) event.detail.issueRequest(true);
  }
});
