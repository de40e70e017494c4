import { createRequire } from 'node:module';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { ContractText } from './template.ts';

/**
 * The contract as PDF. The font is DejaVu Sans from the dejavu-fonts-ttf package (it has every
 * Kazakh Cyrillic letter: ә ғ қ ң ө ұ ү һ і), embedded in the file, so it renders the same on a
 * fresh machine without system fonts. The QR code opens the public verification page.
 */
const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
export const FONT_REGULAR = path.join(FONT_DIR, 'DejaVuSans.ttf');
export const FONT_BOLD = path.join(FONT_DIR, 'DejaVuSans-Bold.ttf');

export async function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { errorCorrectionLevel: 'M', margin: 1, width: 240 });
}

export async function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

/** A PDF document with the two fonts registered ('body', 'bold') and its bytes once `doc.end()` is called. */
export function newPdf(options: PDFKit.PDFDocumentOptions): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument(options);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('body', FONT_REGULAR);
  doc.registerFont('bold', FONT_BOLD);
  return { doc, done };
}

export async function renderContractPdf(text: ContractText, verifyUrl: string, meta: { version: string }): Promise<Buffer> {
  const qr = await qrPng(verifyUrl);
  const { doc, done } = newPdf({ size: 'A4', margins: { top: 56, bottom: 56, left: 64, right: 64 }, info: { Title: text.title, Subject: meta.version, Creator: 'Kezek' } });
  const width = doc.page.width - 128;
  doc.font('bold').fontSize(13).text(text.title, { align: 'center', width });
  doc.moveDown(1);
  doc.font('body').fontSize(10.5);
  for (const p of text.paragraphs) {
    doc.text(p, { align: 'justify', width });
    doc.moveDown(0.6);
  }
  doc.moveDown(1);
  const y = doc.y;
  doc.font('bold').text(text.provider, 64, y, { width: width / 2 - 10 });
  doc.font('body').text(`${text.signature}: ____________________`, 64, doc.y + 18, { width: width / 2 - 10 });
  doc.font('bold').text(text.customer, 64 + width / 2 + 10, y, { width: width / 2 - 10 });
  doc.font('body').text(`${text.signature}: ____________________`, 64 + width / 2 + 10, y + 33, { width: width / 2 - 10 });
  const qrY = Math.max(doc.y + 30, y + 80);
  doc.image(qr, 64, qrY, { width: 96 });
  doc.fontSize(9).text(text.verify, 172, qrY + 20, { width: width - 108 });
  doc.text(verifyUrl, 172, doc.y + 2, { width: width - 108, link: verifyUrl, underline: true });
  doc.fontSize(8).fillColor('#57606a').text(meta.version, 172, doc.y + 6, { width: width - 108 });
  doc.end();
  return done;
}
