import ExcelJS from 'exceljs';
import type { Cell, Report } from './report.ts';

/** What CSV and XLSX need of a table: a report, or another table of the same shape (a payment statement). */
export type ExportTable = Pick<Report, 'title' | 'lead' | 'period' | 'columns' | 'rows' | 'totals' | 'note' | 'asOf'> & { name: string };

/** A CSV field: quoted when it holds a comma, a quote, a line break or leading/trailing space. */
function csvCell(v: Cell): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // a spreadsheet would run a cell starting with = + - @ as a formula: keep text cells text
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The report as CSV (RFC 4180, CRLF, UTF-8 with a byte order mark so spreadsheets read Cyrillic and Kazakh letters right). */
export function reportCsv(r: ExportTable): string {
  const lines = [r.columns.map((c) => csvCell(c.label)), ...r.rows.map((row) => row.map(csvCell)), r.totals.map(csvCell)];
  return `\uFEFF${lines.map((l) => l.join(',')).join('\r\n')}\r\n`;
}

/** The report as an XLSX workbook: one sheet, a bold header and totals row, numbers as numbers. */
export async function reportXlsx(r: ExportTable): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Kezek';
  // the workbook's own timestamps come from the report's time, not the system clock
  wb.created = new Date(r.asOf);
  wb.modified = new Date(r.asOf);
  const ws = wb.addWorksheet(r.name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = r.columns.map((c) => ({ header: c.label, key: c.key, width: c.numeric ? 14 : 32 }));
  ws.getRow(1).font = { bold: true };
  for (const row of r.rows) ws.addRow(row);
  const total = ws.addRow(r.totals);
  total.font = { bold: true };
  r.columns.forEach((c, i) => {
    if (c.numeric) ws.getColumn(i + 1).numFmt = c.numFmt ?? '#,##0.##';
  });
  const meta = wb.addWorksheet('about');
  meta.addRow([r.title]);
  meta.addRow([r.lead]);
  if (r.period) meta.addRow([`${r.period.from} — ${r.period.to}`]);
  if (r.note) meta.addRow([r.note]);
  meta.addRow([r.asOf]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
