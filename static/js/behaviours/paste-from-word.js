// Paste from Word (or a web page) into a section editor (textarea.cg-editor): the HTML on
// the clipboard becomes Markdown, keeping headings, lists and tables.
import TurndownService from "../../vendor/turndown-7.2.5.browser.es.js";
import { gfm } from "../../vendor/turndown-plugin-gfm-1.0.2.browser.es.js";
import { replaceSelection } from "./text-editing.js";

// Word's tables have no header cells, so the first row becomes the header.
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
window.commonGround = { htmlToMarkdown };  // for the browser tests

document.addEventListener("paste", (event) => {
  const textarea = event.target.closest("textarea.cg-editor");
  if (!textarea) return;
  const html = event.clipboardData && event.clipboardData.getData("text/html");
  if (!html) return;
  event.preventDefault();
  replaceSelection(textarea, htmlToMarkdown(html));
});
