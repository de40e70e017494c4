import type { Lang } from '../db/schema.ts';
import { coefficientText, tengeText } from '../domain/accrual.ts';
import { newPdf, qrPng } from '../contracts/pdf.ts';
import { reportCsv, reportXlsx, type ExportTable } from '../reports/export.ts';
import { t } from '../web/i18n/index.ts';
import { intlLocale } from '../web/format.ts';
import { nameIn } from '../web/queries.ts';
import type { DistrictTotal, Statement, StatementLine } from './service.ts';

/**
 * A kindergarten's month as a statement: CSV and XLSX (through the reports' exporters) and a printable
 * PDF in the reader's language (DejaVu Sans, which has every Kazakh letter), with a QR code to the
 * public verification page once the month is approved; and the district totals for finance.
 */

/** Tiyn in tenge for people: "90 000,00 ₸" (exact: the integer part through Intl, the tiyn appended). */
export function moneyText(lang: Lang, tiyn: number): string {
  const [whole, frac] = tengeText(tiyn).split('.') as [string, string];
  const sep = lang === 'en' ? '.' : ',';
  return `${new Intl.NumberFormat(intlLocale(lang)).format(BigInt(whole))}${sep}${frac} ₸`;
}

/** 'YYYY-MM' as "March 2026" in the language. */
export function monthText(lang: Lang, month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Intl.DateTimeFormat(intlLocale(lang), { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 15));
}

/** What a line is: paid, held, no rate; an adjustment names the month it corrects and why. */
export function lineNote(lang: Lang, l: StatementLine): string {
  const state = t(lang, `payments.line.${l.status}`);
  if (l.kind === 'accrual' || !l.correctsMonth || !l.cause) return state;
  return `${t(lang, 'payments.adjustment', { month: monthText(lang, l.correctsMonth) })}: ${t(lang, `payments.cause.${l.cause}`)}`;
}

export function statementTable(s: Statement, lang: Lang, asOf: string): ExportTable {
  const name = nameIn(lang, s);
  const money = { numeric: true, numFmt: '#,##0.00' };
  return {
    name: `payments-${s.month}`,
    title: `${t(lang, 'payments.statement.title')} — ${name}`,
    lead: t(lang, 'payments.statement.month', { month: monthText(lang, s.month) }),
    period: { from: s.month, to: s.month },
    columns: [
      { key: 'child', label: t(lang, 'payments.child'), numeric: false },
      { key: 'group', label: t(lang, 'payments.group'), numeric: false },
      { key: 'working', label: 'W', numeric: true },
      { key: 'placed', label: t(lang, 'payments.days'), numeric: true },
      { key: 'unpaid', label: '−', numeric: true },
      { key: 'payable', label: '=', numeric: true },
      { key: 'monthly', label: t(lang, 'payments.rates.monthly'), ...money },
      { key: 'coefficient', label: t(lang, 'payments.rates.coefficient'), numeric: true, numFmt: '0.0000' },
      { key: 'amount', label: t(lang, 'payments.amount'), ...money },
      { key: 'state', label: t(lang, 'payments.status'), numeric: false },
    ],
    rows: s.lines.map((l) => [
      l.childName,
      l.groupName,
      l.workingDays,
      l.placedDays,
      l.unpaidDays,
      l.payableDays,
      Number(tengeText(l.monthlyTiyn)),
      Number(coefficientText(l.coefficientBp)),
      Number(tengeText(l.amountTiyn)),
      lineNote(lang, l),
    ]),
    totals: [t(lang, 'payments.total'), null, null, null, null, null, null, null, Number(tengeText(s.totalTiyn)), s.status === 'approved' ? t(lang, 'payments.status.approved') : t(lang, 'payments.draft')],
    note: null,
    asOf,
  };
}

export const statementCsv = (s: Statement, lang: Lang, asOf: string): string => reportCsv(statementTable(s, lang, asOf));
export const statementXlsx = (s: Statement, lang: Lang, asOf: string): Promise<Buffer> => reportXlsx(statementTable(s, lang, asOf));

export function districtTable(rows: readonly DistrictTotal[], month: string, lang: Lang, asOf: string): ExportTable {
  const money = { numeric: true, numFmt: '#,##0.00' };
  const sum = (f: (d: DistrictTotal) => number) => rows.reduce((a, d) => a + f(d), 0);
  return {
    name: `payments-districts-${month}`,
    title: t(lang, 'payments.districts'),
    lead: t(lang, 'payments.statement.month', { month: monthText(lang, month) }),
    period: { from: month, to: month },
    columns: [
      { key: 'district', label: t(lang, 'payments.district'), numeric: false },
      { key: 'kindergartens', label: t(lang, 'payments.organisation'), numeric: true },
      { key: 'approved', label: t(lang, 'payments.status.approved'), numeric: true },
      { key: 'lines', label: t(lang, 'payments.lines'), numeric: true },
      { key: 'blocked', label: t(lang, 'payments.blocked'), numeric: true },
      { key: 'total', label: t(lang, 'payments.total'), ...money },
      { key: 'approvedTotal', label: `${t(lang, 'payments.total')} (${t(lang, 'payments.status.approved')})`, ...money },
    ],
    rows: rows.map((d) => [nameIn(lang, d), d.kindergartens, d.approved, d.lines, d.blocked, Number(tengeText(d.totalTiyn)), Number(tengeText(d.approvedTiyn))]),
    totals: [
      t(lang, 'payments.city_total'),
      sum((d) => d.kindergartens),
      sum((d) => d.approved),
      sum((d) => d.lines),
      sum((d) => d.blocked),
      Number(tengeText(sum((d) => d.totalTiyn))),
      Number(tengeText(sum((d) => d.approvedTiyn))),
    ],
    note: null,
    asOf,
  };
}

/** The printable statement: A4 landscape, the lines as a table, the total, and the QR code when approved. */
export async function statementPdf(s: Statement, lang: Lang, verifyUrl: string | null): Promise<Buffer> {
  const qr = verifyUrl ? await qrPng(verifyUrl) : null;
  const title = t(lang, 'payments.statement.title');
  const { doc, done } = newPdf({ size: 'A4', layout: 'landscape', margins: { top: 40, bottom: 40, left: 40, right: 40 }, info: { Title: title, Creator: 'Kezek' } });
  const width = doc.page.width - 80;
  doc.font('bold').fontSize(13).text(title, { align: 'center', width });
  doc.font('body').fontSize(10).moveDown(0.5);
  doc.text(t(lang, 'payments.statement.organisation', { name: nameIn(lang, s) }), { width });
  doc.text(t(lang, 'payments.statement.month', { month: monthText(lang, s.month) }), { width });
  if (s.status !== 'approved') doc.font('bold').fillColor('#9a3412').text(t(lang, 'payments.draft'), { width }).fillColor('black').font('body');
  else if (s.approvedAt) doc.text(t(lang, 'payments.approved', { date: s.approvedAt.toISOString().slice(0, 10) }), { width });
  doc.moveDown(0.6);
  // columns: №, child, group, days, rate × coefficient, amount, state
  const cols = [24, 170, 90, 150, 120, 90, width - 644];
  const heads = [t(lang, 'payments.statement.number'), t(lang, 'payments.child'), t(lang, 'payments.group'), t(lang, 'payments.days'), t(lang, 'payments.rate'), t(lang, 'payments.amount'), t(lang, 'payments.status')];
  const row = (cells: string[], font: 'body' | 'bold') => {
    doc.font(font).fontSize(8.5);
    const heights = cells.map((c, i) => doc.heightOfString(c, { width: cols[i]! - 4 }));
    const h = Math.max(...heights) + 4;
    if (doc.y + h > doc.page.height - 60) doc.addPage();
    const y = doc.y;
    let x = 40;
    cells.forEach((c, i) => {
      doc.text(c, x + 2, y + 2, { width: cols[i]! - 4, align: i === 5 ? 'right' : 'left' });
      x += cols[i]!;
    });
    doc
      .moveTo(40, y + h)
      .lineTo(40 + width, y + h)
      .lineWidth(0.3)
      .strokeColor('#8c959f')
      .stroke();
    doc.x = 40;
    doc.y = y + h;
  };
  row(heads, 'bold');
  s.lines.forEach((l, i) =>
    row(
      [
        String(i + 1),
        l.childName,
        l.groupName,
        `${l.payableDays} / ${l.workingDays} (${l.placedDays} − ${l.unpaidDays})`,
        `${moneyText(lang, l.monthlyTiyn)} × ${coefficientText(l.coefficientBp)}`,
        moneyText(lang, l.amountTiyn),
        lineNote(lang, l),
      ],
      'body',
    ),
  );
  doc.moveDown(0.6);
  doc.font('bold').fontSize(11).text(t(lang, 'payments.statement.total', { amount: moneyText(lang, s.totalTiyn) }), 40, doc.y, { width });
  if (qr && verifyUrl) {
    if (doc.y + 110 > doc.page.height - 40) doc.addPage();
    const y = doc.y + 12;
    doc.image(qr, 40, y, { width: 90 });
    doc.font('body').fontSize(9).text(t(lang, 'payments.statement.verify'), 140, y + 16, { width: width - 100 });
    doc.text(verifyUrl, 140, doc.y + 2, { width: width - 100, link: verifyUrl, underline: true });
    if (s.linesDigest) doc.fontSize(7).fillColor('#57606a').text(`sha256 ${s.linesDigest}`, 140, doc.y + 4, { width: width - 100 });
  }
  doc.end();
  return done;
}
