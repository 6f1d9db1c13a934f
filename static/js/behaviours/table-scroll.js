// A table wider than its place (a phone, a long table) scrolls inside a labelled, focusable
// region, so a keyboard user can scroll it and a screen reader names it after the caption. The
// templates that already wrap their tables (.cg-table-scroll, .cg-register-scroll) or stack them
// (.cg-stack-table) are left alone. Without JavaScript, app.css lets such a table scroll inside
// itself on a narrow screen.

const SKIP = ".cg-table-scroll, .cg-register-scroll, .cg-stack-table, [data-no-table-scroll]";
let counter = 0;

function wrap(table) {
  const region = document.createElement("div");
  region.className = "cg-table-scroll";
  region.setAttribute("role", "region");
  region.tabIndex = 0;
  const caption = table.querySelector("caption");
  if (caption) {
    if (!caption.id) caption.id = `cg-table-caption-${++counter}`;
    region.setAttribute("aria-labelledby", caption.id);
  } else {
    // Named after its first row, and numbered: regions on a page need distinct names.
    const row = table.querySelector("tr");
    const heads = row ? Array.from(row.cells).map((cell) => cell.textContent.trim())
      .filter(Boolean).join(", ") : "";
    const name = heads.length > 60 ? `${heads.slice(0, 57)}...` : heads;
    region.setAttribute("aria-label", `Table ${++counter}${name ? `: ${name}` : ""}`);
  }
  table.parentNode.insertBefore(region, table);
  region.appendChild(table);
}

function check(root) {
  const scope = root && root.querySelectorAll ? root : document;
  // GOV.UK tables, and the tables written in a section's text (Markdown: plain <table>).
  scope.querySelectorAll("table.govuk-table, .cg-prose table").forEach((table) => {
    if (table.closest(SKIP) || !table.parentElement) return;
    // The room inside the parent's padding (clientWidth counts the padding too).
    const style = getComputedStyle(table.parentElement);
    const room = table.parentElement.clientWidth - parseFloat(style.paddingLeft) -
      parseFloat(style.paddingRight);
    table.style.display = "table";             // measure its natural width, not the fallback's
    const wide = table.offsetWidth > room + 1;
    table.style.display = "";
    if (wide) wrap(table);
  });
  checkCharts(scope);
}

// A picture's region (.cg-chart-scroll, engagement) is a named tab stop only while it
// scrolls: on a phone, not on a wide screen where the picture fits.
function checkCharts(scope) {
  scope.querySelectorAll(".cg-chart-scroll").forEach((region) => {
    if (region.scrollWidth > region.clientWidth + 1) {
      region.setAttribute("role", "region");
      region.setAttribute("aria-labelledby", region.dataset.labelledby);
      region.tabIndex = 0;
    } else {
      region.removeAttribute("role");
      region.removeAttribute("aria-labelledby");
      region.removeAttribute("tabindex");
    }
  });
}

let pending = null;
window.addEventListener("resize", () => {
  clearTimeout(pending);
  pending = setTimeout(() => check(document), 150);
});
document.addEventListener("htmx:load", (event) => check(event.detail.elt));
// A table in a closed <details> has no width until it is opened: measure it then.
document.addEventListener("toggle", (event) => {
  if (event.target.open) check(event.target);
}, true);
check(document);
