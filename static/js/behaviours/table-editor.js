// The editor's Table button ([data-table-editor] in a [data-toolbar], whose aria-controls
// names the textarea): a modal dialog to choose rows, columns and a header row, then a grid of
// labelled inputs ("Row 2, column 3") that writes a Markdown pipe table at the caret. With the
// caret inside a pipe table, the same grid opens with that table's cells and rewrites it, so
// editing a table's cells never means editing pipes. Keyboard: Tab between cells, Enter
// writes the table, Escape closes without changing anything; focus goes back to the text.
// Without JavaScript the button stays hidden (the toolbar is) and the textarea works as ever.
import { findTable, formatTable } from "./pipe-tables.js";

const MAX_ROWS = 50;
const MAX_COLUMNS = 12;

const MARKUP = `
<form method="dialog" data-step="size">
  <h2 class="govuk-heading-m" id="cg-table-size-title">Insert a table</h2>
  <div class="govuk-form-group">
    <label class="govuk-label" for="cg-table-rows">Rows</label>
    <input class="govuk-input govuk-input--width-2" id="cg-table-rows" name="rows" type="number" inputmode="numeric" min="1" max="${MAX_ROWS}" value="3">
  </div>
  <div class="govuk-form-group">
    <label class="govuk-label" for="cg-table-columns">Columns</label>
    <input class="govuk-input govuk-input--width-2" id="cg-table-columns" name="columns" type="number" inputmode="numeric" min="1" max="${MAX_COLUMNS}" value="2">
  </div>
  <div class="govuk-form-group">
    <div class="govuk-checkboxes govuk-checkboxes--small">
      <div class="govuk-checkboxes__item">
        <input class="govuk-checkboxes__input" id="cg-table-header" name="header" type="checkbox" checked>
        <label class="govuk-label govuk-checkboxes__label" for="cg-table-header">The first row is a header row</label>
      </div>
    </div>
  </div>
  <div class="govuk-button-group">
    <button type="submit" class="govuk-button">Edit the cells</button>
    <button type="button" class="govuk-button govuk-button--secondary" data-table-close>Cancel</button>
  </div>
</form>
<form method="dialog" data-step="cells" hidden>
  <h2 class="govuk-heading-m" id="cg-table-cells-title">Table cells</h2>
  <p class="govuk-hint" id="cg-table-cells-hint">Tab moves between cells. Enter writes the table into the section text; Escape closes without changing it.</p>
  <div class="govuk-form-group">
    <div class="govuk-checkboxes govuk-checkboxes--small">
      <div class="govuk-checkboxes__item">
        <input class="govuk-checkboxes__input" id="cg-table-cells-header" type="checkbox">
        <label class="govuk-label govuk-checkboxes__label" for="cg-table-cells-header">The first row is a header row</label>
      </div>
    </div>
  </div>
  <div class="cg-table-editor__grid" role="group" aria-labelledby="cg-table-cells-title">
    <table class="cg-table-editor__table"><tbody data-table-grid></tbody></table>
  </div>
  <div class="govuk-button-group cg-table-editor__shape">
    <button type="button" class="govuk-button govuk-button--secondary" data-table-shape="add-row">Add a row</button>
    <button type="button" class="govuk-button govuk-button--secondary" data-table-shape="remove-row">Remove the last row</button>
    <button type="button" class="govuk-button govuk-button--secondary" data-table-shape="add-column">Add a column</button>
    <button type="button" class="govuk-button govuk-button--secondary" data-table-shape="remove-column">Remove the last column</button>
  </div>
  <p class="govuk-visually-hidden" role="status" data-table-status></p>
  <div class="govuk-button-group">
    <button type="submit" class="govuk-button" data-table-write>Insert the table</button>
    <button type="button" class="govuk-button govuk-button--secondary" data-table-close>Cancel</button>
  </div>
</form>`;

let dialog = null;
// What the open dialog edits: the textarea, the table's place in it (null: a new table at the
// selection), its cells (rows of strings, header row first) and column alignments.
let state = null;

function part(selector) {
  return dialog.querySelector(selector);
}

function build() {
  dialog = document.createElement("dialog");
  dialog.className = "cg-table-editor";
  dialog.setAttribute("aria-labelledby", "cg-table-size-title");
  dialog.innerHTML = MARKUP;
  document.body.append(dialog);
  part("[data-step=size]").addEventListener("submit", chooseSize);
  part("[data-step=cells]").addEventListener("submit", writeTable);
  part("#cg-table-cells-header").addEventListener("change", (event) => {
    readCells();
    state.header = event.target.checked;
    drawGrid();
  });
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-table-close]")) dialog.close();
    const shape = event.target.closest("[data-table-shape]");
    if (shape) changeShape(shape.dataset.tableShape);
  });
  dialog.addEventListener("close", () => {
    if (!state) return;
    const { textarea, selection } = state;
    state = null;
    textarea.focus();
    if (selection) textarea.setSelectionRange(selection[0], selection[1]);
  });
}

function showStep(name) {
  dialog.querySelectorAll("[data-step]").forEach((form) => { form.hidden = form.dataset.step !== name; });
  dialog.setAttribute("aria-labelledby", name === "size" ? "cg-table-size-title" : "cg-table-cells-title");
  if (name === "cells") dialog.setAttribute("aria-describedby", "cg-table-cells-hint");
  else dialog.removeAttribute("aria-describedby");
}

function open(textarea) {
  if (!dialog) build();
  const found = findTable(textarea.value, textarea.selectionStart);
  state = {
    textarea,
    selection: [textarea.selectionStart, textarea.selectionEnd],
    place: found ? [found.start, found.end] : null,
    rows: found ? found.rows : [],
    header: found ? found.header : true,
    aligns: found ? found.aligns : [],
  };
  dialog.showModal();
  if (found) {
    showCells(found.caret);
  } else {
    part("#cg-table-rows").value = "3";
    part("#cg-table-columns").value = "2";
    part("#cg-table-header").checked = true;
    showStep("size");
    part("#cg-table-rows").focus();
  }
}

function clamp(value, low, high) {
  const number = Number.parseInt(value, 10);
  return Number.isNaN(number) ? low : Math.min(high, Math.max(low, number));
}

function chooseSize(event) {
  event.preventDefault();
  const rows = clamp(part("#cg-table-rows").value, 1, MAX_ROWS);
  const columns = clamp(part("#cg-table-columns").value, 1, MAX_COLUMNS);
  state.rows = Array.from({ length: rows }, () => Array(columns).fill(""));
  state.header = part("#cg-table-header").checked;
  showCells({ row: 0, column: 0 });
}

function showCells(caret) {
  part("#cg-table-cells-title").textContent = state.place ? "Edit the table" : "Insert a table";
  part("[data-table-write]").textContent = state.place ? "Update the table" : "Insert the table";
  part("#cg-table-cells-header").checked = state.header;
  part("[data-table-status]").textContent = "";
  showStep("cells");
  drawGrid();
  cell(caret.row, caret.column).focus();
}

function label(row, column) {
  return `Row ${row + 1}${row === 0 && state.header ? " (header)" : ""}, column ${column + 1}`;
}

function cell(row, column) {
  return part(`[data-cell="${row}:${column}"]`) || part("[data-cell]");
}

function drawGrid() {
  const grid = part("[data-table-grid]");
  grid.replaceChildren(...state.rows.map((cells, r) => {
    const tr = document.createElement("tr");
    if (r === 0 && state.header) tr.className = "cg-table-editor__header";
    cells.forEach((value, c) => {
      const td = document.createElement("td");
      const input = document.createElement("input");
      input.type = "text";
      input.className = "govuk-input cg-table-editor__cell";
      input.value = value;
      input.dataset.cell = `${r}:${c}`;
      input.setAttribute("aria-label", label(r, c));
      input.spellcheck = true;
      td.append(input);
      tr.append(td);
    });
    return tr;
  }));
}

function readCells() {
  dialog.querySelectorAll("[data-cell]").forEach((input) => {
    const [r, c] = input.dataset.cell.split(":").map(Number);
    state.rows[r][c] = input.value;
  });
}

function changeShape(change) {
  readCells();
  const { rows } = state;
  const columns = rows[0].length;
  let said = "";
  let focus = null;
  if (change === "add-row" && rows.length < MAX_ROWS) {
    rows.push(Array(columns).fill(""));
    said = `Row ${rows.length} added.`;
    focus = [rows.length - 1, 0];
  } else if (change === "remove-row" && rows.length > 1) {
    rows.pop();
    said = `Row ${rows.length + 1} removed.`;
  } else if (change === "add-column" && columns < MAX_COLUMNS) {
    rows.forEach((row) => row.push(""));
    said = `Column ${columns + 1} added.`;
    focus = [0, columns];
  } else if (change === "remove-column" && columns > 1) {
    rows.forEach((row) => row.pop());
    state.aligns = state.aligns.slice(0, columns - 1);
    said = `Column ${columns} removed.`;
  } else {
    said = "The table cannot change that way.";
  }
  drawGrid();
  part("[data-table-status]").textContent = `${said} ${rows.length} rows, ${rows[0].length} columns.`;
  if (focus) cell(...focus).focus();
}

function writeTable(event) {
  event.preventDefault();
  readCells();
  const { textarea, place } = state;
  const table = formatTable(state.rows, state.header, state.aligns);
  let [start, end] = place || state.selection;
  let text = table;
  if (!place) {
    const before = textarea.value.slice(0, start);
    const after = textarea.value.slice(end);
    // A blank line either side, so the table is a block of its own.
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const trail = after === "" ? "\n" : after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    text = lead + table + trail;
  }
  textarea.setRangeText(text, start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  start = textarea.selectionStart;
  state.selection = [start, start];
  dialog.close();
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-table-editor]");
  if (!button) return;
  const toolbar = button.closest("[data-toolbar]");
  const textarea = document.getElementById(toolbar.getAttribute("aria-controls"));
  if (textarea) open(textarea);
});
