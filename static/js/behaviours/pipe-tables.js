// Markdown pipe tables (GitHub-flavoured, as the server renders them) read into cells and
// written back, for the table editor. A `|` inside a cell is written as `\|` and read back as
// `|`, so the person editing cells never meets the pipes.

const DELIMITER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

// One row's cells, unescaped and trimmed.
export function splitRow(line) {
  let text = line.trim();
  if (text.startsWith("|")) text = text.slice(1);
  if (text.endsWith("|") && !text.endsWith("\\|")) text = text.slice(0, -1);
  const cells = [];
  let cell = "";
  for (let i = 0; i < text.length; i += 1) {
    if (text[i] === "\\" && text[i + 1] === "|") {
      cell += "|";
      i += 1;
    } else if (text[i] === "|") {
      cells.push(cell.trim());
      cell = "";
    } else {
      cell += text[i];
    }
  }
  cells.push(cell.trim());
  return cells;
}

function alignment(cell) {
  const left = cell.startsWith(":");
  const right = cell.endsWith(":");
  if (left && right) return "center";
  if (right) return "right";
  return left ? "left" : "";
}

const DELIMITERS = { "": "---", left: ":---", right: "---:", center: ":---:" };

function escapeCell(value) {
  return value.replace(/\r?\n/g, " ").replace(/\|/g, "\\|").trim();
}

// The table `text` holds at `position` (a caret offset), or null: {start, end} (offsets of the
// table's first character and just after its last, newline excluded), header (whether the
// first row has any text), rows (every row's cells, the header row first; all as wide as the
// widest), aligns (per column), and the caret's row and column.
export function findTable(text, position) {
  const lines = [];
  let offset = 0;
  for (const line of text.split("\n")) {
    lines.push({ text: line, start: offset, end: offset + line.length });
    offset += line.length + 1;
  }
  const at = lines.findIndex((line) => position >= line.start && position <= line.end);
  if (at < 0 || !lines[at].text.includes("|")) return null;
  let first = at;
  while (first > 0 && lines[first - 1].text.includes("|") && lines[first - 1].text.trim()) first -= 1;
  let last = at;
  while (last + 1 < lines.length && lines[last + 1].text.includes("|") && lines[last + 1].text.trim()) last += 1;
  // The header is the line above the first delimiter row with as many cells as it has.
  let head = -1;
  for (let i = first + 1; i <= last; i += 1) {
    if (DELIMITER.test(lines[i].text) && splitRow(lines[i].text).length === splitRow(lines[i - 1].text).length) {
      head = i - 1;
      break;
    }
  }
  if (head < 0 || at < head) return null;
  const aligns = splitRow(lines[head + 1].text).map(alignment);
  const rows = [head, ...Array.from({ length: last - head - 1 }, (_, k) => head + 2 + k)]
    .map((i) => splitRow(lines[i].text));
  const width = Math.max(aligns.length, ...rows.map((row) => row.length));
  rows.forEach((row) => { while (row.length < width) row.push(""); });
  while (aligns.length < width) aligns.push("");
  const header = rows[0].some((cell) => cell !== "");
  const caretLine = at === head + 1 ? head : at;
  const before = lines[caretLine].text.slice(0, Math.max(0, position - lines[caretLine].start));
  const pipes = (before.replace(/\\\|/g, "").match(/\|/g) || []).length;
  const startsWithPipe = lines[caretLine].text.trim().startsWith("|");
  let row = caretLine === head ? 0 : caretLine - head - 1;
  if (!header) row = Math.max(0, row - 1);
  return {
    start: lines[head].start, end: lines[last].end, header,
    rows: header ? rows : rows.slice(1).length ? rows.slice(1) : [rows[0]],
    aligns,
    caret: { row, column: Math.min(width - 1, Math.max(0, pipes - (startsWithPipe ? 1 : 0))) },
  };
}

// A pipe table in Markdown: `rows` of cells (the header row first when `header`), without a
// trailing newline. Without a header row, the table has an empty one (Markdown needs one).
export function formatTable(rows, header, aligns = []) {
  const width = Math.max(...rows.map((row) => row.length));
  const line = (cells) => `| ${Array.from({ length: width }, (_, c) => escapeCell(cells[c] || "")).join(" | ")} |`;
  const headRow = header ? rows[0] : [];
  const body = header ? rows.slice(1) : rows;
  const delimiter = `|${Array.from({ length: width }, (_, c) => DELIMITERS[aligns[c] || ""]).join("|")}|`;
  return [line(headRow), delimiter, ...body.map(line)].join("\n");
}
