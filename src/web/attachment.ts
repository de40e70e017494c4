import type { FastifyReply } from 'fastify';

/**
 * Serve a stored upload (a parent's document) as a download, never as a page of this site: an
 * uploaded "PDF" that is really HTML or SVG must not run in Kezek's origin. Content-Disposition:
 * attachment (an <img> still shows an image: browsers ignore the disposition there), nosniff (the
 * browser keeps to the declared type), and a CSP that allows nothing and sandboxes the response if
 * it is opened anyway. Private, not cached by shared caches.
 */
export function sendAttachment(reply: FastifyReply, file: { data: Buffer | Uint8Array; contentType: string; filename: string }): FastifyReply {
  const ascii = file.filename.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'document';
  return reply
    .header('content-type', file.contentType)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file.filename.slice(0, 100))}`)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', 'private, no-store')
    .send(Buffer.from(file.data));
}

/** What an export is sent as, by its format. */
const DOWNLOAD_TYPES = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
} as const;

/**
 * Send a file Kezek made (a report, a statement, an import's rejected rows) as a download named
 * `name.format`: private, not kept by shared caches.
 */
export function sendDownload(reply: FastifyReply, name: string, format: keyof typeof DOWNLOAD_TYPES, body: string | Buffer | Uint8Array): FastifyReply {
  return reply.type(DOWNLOAD_TYPES[format]).header('cache-control', 'private, no-cache').header('content-disposition', `attachment; filename="${name}.${format}"`).send(body);
}
