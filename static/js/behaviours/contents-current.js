// The document page's contents list marks the section being read: as the reader scrolls, the
// link to the section at the top of the view gets aria-current="location" (styled in app.css
// with a bar and bold text, not colour alone). Sections and the list are redrawn by htmx, so
// both are looked up again after every swap. Without JavaScript the list is plain links.

const BAND = "0px 0px -60% 0px";          // the top 40% of the view: where reading happens
let observer = null;
const inView = new Set();
let current = null;

function links() {
  return document.querySelectorAll("#contents-list a[href^='#section-']");
}

function mark() {
  // The first section in page order that is in the band; none: keep the last one.
  const first = Array.from(document.querySelectorAll(".cg-sections .cg-section[id]"))
    .find((section) => inView.has(section.id));
  if (first) current = first.id;
  links().forEach((link) => {
    if (current && link.getAttribute("href") === `#${current}`) link.setAttribute("aria-current", "location");
    else link.removeAttribute("aria-current");
  });
}

function watch() {
  if (!("IntersectionObserver" in window) || !document.getElementById("contents-list")) return;
  if (observer) observer.disconnect();
  inView.clear();
  observer = new IntersectionObserver((entries) => {
    entries.forEach((entry) => {
      if (entry.isIntersecting) inView.add(entry.target.id); else inView.delete(entry.target.id);
    });
    mark();
  }, { rootMargin: BAND });
  document.querySelectorAll(".cg-sections .cg-section[id]").forEach((section) => observer.observe(section));
}

watch();
// A redrawn section is a new element, and a redrawn list has lost the mark.
document.addEventListener("htmx:load", (event) => {
  const elt = event.detail.elt;
  if (elt === document.body) return;
  if (elt.matches && (elt.matches(".cg-section, #contents-list, .cg-sections") || elt.querySelector(".cg-section, #contents-list"))) watch();
});
