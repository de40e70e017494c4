import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { PassThrough } from 'node:stream';
import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { MAX_IMPORT_BYTES, parseCsv } from './format.ts';
import type { UploadedFile } from './service.ts';

export interface ImportForm {
  fields: Record<string, string>;
  file: UploadedFile | null;
  /** Where the CSRF check looks for the form's token (src/auth/csrf.ts). */
  _csrf?: string;
}

/**
 * multipart/form-data for the queue import, in the caller's (encapsulated) context. The file is
 * streamed: as its bytes arrive they are hashed, gzipped (to keep until the import) and parsed as
 * CSV, so a large queue is never held as text and parsed afterwards. At most one file of
 * MAX_IMPORT_BYTES and a few short fields.
 */
export function acceptImportForm(app: FastifyInstance): void {
  app.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    let bb: BusboyInstance;
    try {
      bb = Busboy({ headers: req.headers as never, limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 5, fieldSize: 1000, parts: 8 } });
    } catch {
      return done(new AppError('invalid_input', 400, 'import.file.required'), undefined);
    }
    const body: ImportForm = { fields: {}, file: null };
    let pending: Promise<void> | null = null;
    let failed = false;
    bb.on('field', (name: string, value: string) => {
      if (!(name in body.fields)) body.fields[name] = value;
    });
    bb.on('file', (_name: string, stream: NodeJS.ReadableStream, filename: string) => {
      const hash = crypto.createHash('sha256');
      const gzip = zlib.createGzip();
      const gzChunks: Buffer[] = [];
      const csv = new PassThrough();
      let size = 0;
      let truncated = false;
      gzip.on('data', (c: Buffer) => gzChunks.push(c));
      const gzDone = new Promise<void>((resolve, reject) => {
        gzip.on('end', resolve);
        gzip.on('error', reject);
      });
      stream.on('limit', () => {
        truncated = true;
      });
      // issue 13 (security): a form cut off inside the file errors on the file's stream; without
      // this listener that error was uncaught and stopped the process
      stream.on('error', (e: Error) => {
        void pending?.catch(() => {}); // the form failed: its file's parsing is abandoned
        csv.destroy();
        gzip.destroy();
        if (failed) return;
        failed = true;
        done(Object.assign(e, { statusCode: 400 }), undefined);
      });
      stream.on('data', (c: Buffer) => {
        size += c.length;
        hash.update(c);
        gzip.write(c);
        if (!csv.write(c)) {
          stream.pause();
          csv.once('drain', () => stream.resume());
        }
      });
      stream.on('end', () => {
        gzip.end();
        csv.end();
      });
      const parsing = parseCsv(csv);
      pending = Promise.all([parsing, gzDone]).then(([parsed]) => {
        if (size === 0) return;
        body.file = { name: filename || 'queue.csv', size, sha256: hash.digest('hex'), gz: Buffer.concat(gzChunks), parsed, truncated };
      });
    });
    bb.on('error', (e: Error) => {
      failed = true;
      done(Object.assign(e, { statusCode: 400 }), undefined);
    });
    bb.on('finish', () => {
      if (failed) return;
      void (pending ?? Promise.resolve()).then(
        () => {
          if (body.fields._csrf !== undefined) body._csrf = body.fields._csrf;
          done(null, body);
        },
        (e: Error) => done(Object.assign(e, { statusCode: 400 }), undefined),
      );
    });
    payload.pipe(bb);
  });
}
