import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import { MAX_UPLOAD_BYTES } from './service.ts';

/** A form with one file, parsed whole before the CSRF check (which reads `_csrf` from the body). */
export interface FormWithFile {
  fields: Record<string, string>;
  /** The first non-empty file. */
  file: Buffer | null;
  /** Every non-empty file by its field name. */
  files: Record<string, { data: Buffer; truncated: boolean }>;
  /** The file was longer than the limit (only its first bytes were kept). */
  truncated: boolean;
  /** The form's CSRF token, where the CSRF check looks for it (src/auth/csrf.ts). */
  _csrf?: string;
}

/** A form field as typed, trimmed ('' when absent): `const v = typedField(form); v('lastName')`. */
export const typedField = (f: FormWithFile) => (k: string): string => (f.fields[k] ?? '').trim();

/**
 * multipart/form-data for the forms that send a supporting document, in the caller's (encapsulated)
 * context: parsed as the body is read (so that the CSRF hook, which runs before validation, sees the
 * fields), at most two files of MAX_UPLOAD_BYTES each and twenty short fields (or `fields`).
 */
export function acceptFormWithFile(app: FastifyInstance, o: { fields?: number } = {}): void {
  const fields = o.fields ?? 20;
  // These routes read a FormWithFile: a JSON or urlencoded body (the parsers the context inherits)
  // is refused as such, not handed to code that expects fields and files.
  app.addHook('preValidation', async (req) => {
    const b = req.body as Partial<FormWithFile> | null | undefined;
    if (b !== undefined && b !== null && !(typeof b === 'object' && typeof b.fields === 'object' && b.fields !== null && typeof b.files === 'object')) {
      throw new AppError('unsupported_media_type', 415, 'error.unsupported_media_type');
    }
  });
  app.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    let bb: BusboyInstance;
    try {
      bb = Busboy({ headers: req.headers as never, limits: { fileSize: MAX_UPLOAD_BYTES, files: 2, fields, fieldSize: 2000, parts: fields + 4 } });
    } catch {
      return done(new AppError('invalid_input', 400, 'parents.upload.required'), undefined);
    }
    const body: FormWithFile = { fields: {}, file: null, files: {}, truncated: false };
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
    bb.on('file', (name: string, stream: NodeJS.ReadableStream & { truncated?: boolean }) => {
      pending++;
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('limit', () => {
        truncated = true;
      });
      // issue 13 (security): a form cut off inside a file ("Part terminated early") errors on the
      // file's stream; without this listener that error was uncaught and stopped the process
      stream.on('error', (e: Error) => {
        if (failed) return;
        failed = true;
        done(Object.assign(e, { statusCode: 400 }), undefined);
      });
      stream.on('end', () => {
        const data = Buffer.concat(chunks);
        // an empty file input is sent as an empty part: no file
        if (data.length > 0 && !(name in body.files)) {
          body.files[name] = { data, truncated };
          if (body.file === null) {
            body.file = data;
            body.truncated = truncated;
          }
        }
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
