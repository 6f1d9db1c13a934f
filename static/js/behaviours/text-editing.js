// Replacing the selected text of a textarea as if the person had typed it (shared by the
// editor's toolbar and paste from Word).

export function replaceSelection(textarea, text, selectFrom, selectTo) {
  const start = textarea.selectionStart;
  textarea.setRangeText(text, start, textarea.selectionEnd, "end");
  if (selectFrom !== undefined) {
    textarea.setSelectionRange(start + selectFrom, start + selectTo);
  }
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  textarea.focus();
}
