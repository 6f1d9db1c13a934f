// Keep the contents list's open suggestion counts ([data-suggestion-count-for="<suggestions
// block id>"]) and the total beside the filter link ([data-suggestion-total], shown only when
// some are open) in step with each section's suggestions block ([data-suggestion-count])
// whenever one is swapped in: by this person's own action or by the live feed, when others
// make, accept, reject or withdraw a suggestion.

function plural(n) { return `${n} suggestion${n === 1 ? "" : "s"}`; }

document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!root.querySelectorAll) return;
  const blocks = root.matches("[data-suggestion-count]") ? [root] :
    Array.from(root.querySelectorAll("[data-suggestion-count]"));
  blocks.forEach((block) => {
    const count = document.querySelector(`[data-suggestion-count-for="${block.id}"]`);
    if (!count) return;
    const before = Number(count.dataset.count || (count.textContent.match(/\d+/) || ["0"])[0]);
    const after = Number(block.dataset.suggestionCount);
    count.dataset.count = String(after);
    if (before === after) return;
    count.textContent = after ? plural(after) : "";
    const total = document.querySelector("[data-suggestion-total]");
    if (total) {
      const sum = Math.max(0, Number(total.dataset.suggestionTotal) + after - before);
      total.dataset.suggestionTotal = String(sum);
      total.textContent = `${sum} open ${plural(sum).replace(/^\d+ /, "")}`;
      const filter = total.closest("[data-suggestion-filter]");
      if (filter) filter.hidden = sum === 0;
    }
  });
});
