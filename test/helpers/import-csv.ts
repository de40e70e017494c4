import crypto from 'node:crypto';
import { COLUMNS } from '../../src/queue-import/format.ts';

export type ImportRecord = Partial<Record<(typeof COLUMNS)[number], string>>;

/** A queue-import CSV with every column, in COLUMNS order. */
export function importCsv(rows: readonly ImportRecord[], sep = ','): string {
  const q = (s: string) => (/[",;\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  return [COLUMNS.join(sep), ...rows.map((r) => COLUMNS.map((c) => q(r[c] ?? '')).join(sep))].join('\r\n') + '\r\n';
}

/** A multipart/form-data body with fields and one file, as a browser sends it. */
export function multipart(fields: Record<string, string>, file: { field?: string; name: string; data: Buffer | string; type?: string }): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----kezek${crypto.randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${file.field ?? 'file'}"; filename="${file.name}"\r\ncontent-type: ${file.type ?? 'text/csv'}\r\n\r\n`));
  parts.push(typeof file.data === 'string' ? Buffer.from(file.data) : file.data);
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
