import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { MAX_UPLOAD_BYTES } from './uploads.ts';

/** A form with one file, parsed whole before the CSRF check (which reads `_csrf` from the body). */
export interface FormWithFile {
  fields: Record<string, string>;
  file: Buffer | null;
  /** The file was longer than the limit (only its first bytes were kept). */
  truncated: boolean;
  /** The form's CSRF token, where the CSRF check looks for it (src/auth/csrf.ts). */
  _csrf?: string;
}

/**
 * multipart/form-data for the forms that send a supporting document, in the caller's (encapsulated)
 * context: parsed as the body is read (so that the CSRF hook, which runs before validation, sees the
 * fields), at most one file of MAX_UPLOAD_BYTES and ten short fields.
 */
export function acceptFormWithFile(app: FastifyInstance): void {
  app.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    let bb: BusboyInstance;
    try {
      bb = Busboy({ headers: req.headers as never, limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 10, fieldSize: 2000, parts: 12 } });
    } catch {
      return done(new AppError('invalid_input', 400, 'parents.upload.required'), undefined);
    }
    const body: FormWithFile = { fields: {}, file: null, truncated: false };
    let pending = 0;
    let finished = false;
    let failed = false;
    const end = () => {
      if (!(finished && pending === 0) || failed) return;
      if (body.fields._csrf !== undefined) body._csrf = body.fields._csrf;
      done(null, body);
    };
    bb.on('field', (name: string, value: string) => {
      if (!(name in body.fields)) body.fields[name] = value;
    });
    bb.on('file', (_name: string, stream: NodeJS.ReadableStream & { truncated?: boolean }) => {
      pending++;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        body.truncated = true;
      });
      stream.on('end', () => {
        if (body.file === null) body.file = Buffer.concat(chunks);
        pending--;
        end();
      });
    });
    bb.on('error', (e: Error) => {
      failed = true;
      done(Object.assign(e, { statusCode: 400 }), undefined);
    });
    bb.on('finish', () => {
      finished = true;
      end();
    });
    payload.pipe(bb);
  });
}
