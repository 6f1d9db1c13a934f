// Keep the contents list's "N positions outstanding" ([data-outstanding-for="<positions block
// id>"]) in step with each positions block ([data-outstanding]) whenever one is swapped in, by
// a Member's own position or by the live feed. Without JavaScript the count is right at each
// page load.

function words(n) { return n ? `${n} position${n === 1 ? "" : "s"} outstanding` : ""; }

document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!root.querySelectorAll) return;
  const blocks = root.matches("[data-outstanding]") ? [root] :
    Array.from(root.querySelectorAll("[data-outstanding]"));
  blocks.forEach((block) => {
    const count = document.querySelector(`[data-outstanding-for="${block.id}"]`);
    if (count) count.textContent = words(Number(block.dataset.outstanding));
  });
});
