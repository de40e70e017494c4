import assert from 'node:assert/strict';
import type { TestApp } from './app.ts';
import { application } from './fixtures.ts';

/** Helpers for the parents' security tests (issue 13): anonymous forms, codes read from the outbox. */
export type File = { field: string; filename: string; type: string; data: Buffer };
export function multipart(fields: Record<string, string>, files: File[] = []) {
  const boundary = '----kezeksec' + 'q'.repeat(10);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}
export const PDF = Buffer.from('%PDF-1.7\n%%EOF\n');
/** A PDF of about `mb` megabytes. */
export const bigPdf = (mb: number) => Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(Math.round(mb * 1024 * 1024) - 20, 0x20), Buffer.from('\n%%EOF\n')]);

export function cookieFrom(res: { headers: Record<string, unknown> }, name: string): string | undefined {
  const raw = res.headers['set-cookie'];
  const list = Array.isArray(raw) ? raw : raw ? [String(raw)] : [];
  for (const c of list) {
    const m = new RegExp(`^${name}=([^;]*)`).exec(c);
    if (m) return m[1];
  }
  return undefined;
}

/** An anonymous browser: the double-submit CSRF cookie and token from a form page. */
export async function visitor(t: TestApp, url = '/apply?lang=ru', headers: Record<string, string> = {}) {
  const page = await t.app.inject({ url, headers });
  assert.equal(page.statusCode, 200, `${url} opens`);
  const cookie = cookieFrom(page, 'kezek_csrf');
  const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(cookie && token, 'a CSRF cookie and token');
  return { cookie: `kezek_csrf=${cookie}`, token: token!, page };
}
export type Visitor = Awaited<ReturnType<typeof visitor>>;

export const postForm = (t: TestApp, v: Visitor, url: string, fields: Record<string, string>, files: File[] = [], ip = '10.0.0.1', extraCookie = '') => {
  const m = multipart({ _csrf: v.token, ...fields }, files);
  return t.app.inject({ method: 'POST', url, remoteAddress: ip, headers: { cookie: v.cookie + extraCookie, 'content-type': m.contentType }, payload: m.payload });
};
export const postCode = (t: TestApp, v: Visitor, url: string, body: Record<string, string>, ip = '10.0.0.1', extraCookie = '') =>
  t.app.inject({ method: 'POST', url, remoteAddress: ip, headers: { cookie: v.cookie + extraCookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ _csrf: v.token, ...body }).toString() });

/** The one-time passwords sent to a phone with a template, oldest first, as the phone shows them. */
export async function codesTo(t: TestApp, phone: string, template = 'otp_first_apply'): Promise<string[]> {
  const rows = await t.deps.database.db.selectFrom('sms_outbox').select('body').where('phone', '=', phone).where('template', '=', template).orderBy('id').execute();
  return rows.map((m) => /\b([0-9]{6})\b/.exec(m.body)![1]!);
}

export function applyFields(org: number, o: { parentIin: string; childIin: string; childBirth: string; phone1: string }) {
  return {
    iin: o.parentIin,
    parentLastName: 'Серікова',
    parentFirstName: 'Динара',
    parentMiddleName: '',
    phone1: o.phone1,
    phone2: '',
    email: '',
    childIin: o.childIin,
    lastName: 'Серіков',
    firstName: 'Нұрлан',
    middleName: '',
    birthDate: o.childBirth,
    orgKind: 'kindergarten',
    pref1: String(org),
    pref2: '',
    pref3: '',
    language: 'kk',
    desiredStart: '2026-09-01',
  };
}

export const api = (t: TestApp, url: string, payload: object, ip = '127.0.0.1', headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url, payload, remoteAddress: ip, headers: { 'accept-language': 'ru', ...headers } });

export async function parentWithApplication(t: TestApp, phone: string) {
  const a = await application(t.deps.database.db, { phone, lang: 'ru' });
  const p = await t.deps.database.db.selectFrom('parents').select('iin').where('id', '=', a.parentId).executeTakeFirstOrThrow();
  return { ...a, iin: p.iin };
}

/** Set one policy value for the city (as the administrator's settings page would). */
export async function setPolicy(t: TestApp, key: string, value: unknown): Promise<void> {
  await t.deps.database.db.insertInto('city_settings').values({ key, value: JSON.stringify(value), updated_at: new Date('2026-03-02T05:00:00Z'), updated_by: null }).execute();
}
