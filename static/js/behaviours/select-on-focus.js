// Fields marked data-select-on-focus (the invitation link) select their whole text when they
// get focus, ready to copy.
document.addEventListener("focusin", (event) => {
  if (event.target.matches("[data-select-on-focus]")) event.target.select();
});
