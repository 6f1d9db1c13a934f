// "Copy link" buttons (data-copy-target="<field id>"): hidden without JavaScript, where the
// field can still be selected and copied. The outcome is said in [data-copy-status="<field id>"].
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
