/**
 * CSV as RFC 4180 describes it: comma-separated cells, CRLF line ends, and a cell quoted when it
 * contains a comma, a quote or a line break, with its quotes doubled.
 */

export type CsvCell = string | number | boolean | null;

// Spreadsheets run a cell that starts with one of these as a formula, which OWASP calls CSV
// injection. OWASP lists tab and carriage return as well.
const FORMULA_START = /^[=+\-@\t\r]/;

/** Writes one cell: text that a spreadsheet would run as a formula gets a leading apostrophe. */
export function csvCell(value: CsvCell): string {
  if (value === null) {
    return '';
  }
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes a header row and the data rows, each line ending in CRLF. */
export function toCsv(header: readonly string[], rows: readonly CsvCell[][]): string {
  return [header, ...rows].map((row) => `${row.map(csvCell).join(',')}\r\n`).join('');
}
