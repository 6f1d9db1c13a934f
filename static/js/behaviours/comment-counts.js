// Keep the contents list's open comment counts ([data-open-count-for="<comments block id>"])
// and the total beside the filter link ([data-open-total]) in step with each comments block
// ([data-open-count]) whenever one is swapped in, by this person's own action or by the live feed.

function plural(n) { return `${n} open comment${n === 1 ? "" : "s"}`; }

document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!root.querySelectorAll) return;
  const blocks = root.matches("[data-open-count]") ? [root] :
    Array.from(root.querySelectorAll("[data-open-count]"));
  blocks.forEach((block) => {
    const count = document.querySelector(`[data-open-count-for="${block.id}"]`);
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
