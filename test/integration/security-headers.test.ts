import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { testApp } from '../helpers/app.ts';
import { loginAs } from '../helpers/auth.ts';
import { sendAttachment } from '../../src/web/attachment.ts';
import { ALLOWED_HANDLERS } from '../../src/web/security-headers.ts';

/** Issue 13, item 13: CSP, nosniff, frame protection; uploads as attachments. */

test('every answer carries CSP, nosniff and frame protection; the pages need nothing the policy forbids', async () => {
  const t = await testApp();
  try {
    const staff = await loginAs(t, 'operator');
    const parent = await loginAs(t, 'parent');
    const pages: [string, Record<string, string>][] = [
      ['/', {}],
      ['/queue', {}],
      ['/organisations', {}],
      ['/staff/login', {}],
      ['/cabinet', { cookie: parent.cookie }],
      ['/staff', { cookie: staff.cookie }],
      ['/staff/password', { cookie: staff.cookie }],
      ['/api/session', {}],
      ['/no/such/page', {}],
    ];
    for (const [url, headers] of pages) {
      const r = await t.app.inject({ url, headers });
      const csp = String(r.headers['content-security-policy']);
      // the attack: frame a page (click-jacking), or get a response sniffed into something runnable
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /object-src 'none'/, url);
      assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/, url);
      assert.doesNotMatch(csp, /upgrade-insecure-requests/, 'demo mode serves plain http://localhost');
      assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(r.headers['x-frame-options'], 'DENY', url);
      if (String(r.headers['content-type']).startsWith('text/html')) {
        assert.doesNotMatch(r.body, /<script|<style/i, `${url}: no inline script or style element`);
        for (const m of r.body.matchAll(/\son[a-z]+="([^"]*)"/g)) assert.ok((ALLOWED_HANDLERS as readonly string[]).includes(m[1]!), `${url}: handler ${m[1]} not in the CSP`);
        for (const m of r.body.matchAll(/\s(?:src|href|action)="(https?:)?\/\/([^"]*)"/g)) assert.fail(`${url}: a resource from another origin: ${m[0]}`);
      }
    }
  } finally {
    await t.close();
  }
});

test('production adds HSTS and upgrade-insecure-requests', async () => {
  const t = await testApp();
  await t.app.close();
  const { buildApp } = await import('../../src/app.ts');
  const app = await buildApp({ ...t.deps, config: { ...t.deps.config, mode: 'production' } });
  try {
    const r = await app.inject({ url: '/' });
    assert.match(String(r.headers['strict-transport-security']), /max-age=31536000/);
    assert.match(String(r.headers['content-security-policy']), /upgrade-insecure-requests/);
  } finally {
    await app.close();
    await t.deps.database.close();
  }
});

test('sendAttachment: an uploaded file is a download with nosniff and a sandboxing CSP, never a page of the site', async () => {
  const app = Fastify();
  app.get('/f', async (_req, reply) => sendAttachment(reply, { data: Buffer.from('<html><script>alert(1)</script>'), contentType: 'application/pdf', filename: 'справка "1".pdf' }));
  const r = await app.inject({ url: '/f' });
  assert.equal(r.headers['content-type'], 'application/pdf');
  assert.match(String(r.headers['content-disposition']), /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''/);
  assert.equal(r.headers['x-content-type-options'], 'nosniff');
  assert.match(String(r.headers['content-security-policy']), /sandbox/);
  assert.equal(r.headers['cache-control'], 'private, no-store');
  await app.close();
});
