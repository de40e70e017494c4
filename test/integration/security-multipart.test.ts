import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { testApp } from '../helpers/app.ts';
import { LIMITS } from '../../src/app.ts';

/** Issue 13, item 14: a multipart body has a total size limit. */

const BOUNDARY = '----kezek-test-boundary';

/** A multipart body streamed in 64 KiB chunks (no Content-Length): one file part of `fileBytes`, then the end. */
function streamedForm(fileBytes: number, counter: { sent: number }): Readable {
  const head = Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="iin"\r\n\r\n900101300123\r\n--${BOUNDARY}\r\ncontent-disposition: form-data; name="document"; filename="a.pdf"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.4\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  let left = fileBytes;
  let started = false;
  return new Readable({
    read() {
      if (!started) {
        started = true;
        counter.sent += head.length;
        this.push(head);
        return;
      }
      if (left > 0) {
        const c = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= c.length;
        counter.sent += c.length;
        this.push(c);
        return;
      }
      this.push(tail);
      this.push(null);
    },
  });
}

test('a multipart body over the total limit is refused with 413, declared or streamed', async () => {
  const t = await testApp();
  try {
    const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'accept-language': 'en' };
    // the attack: a body far larger than two documents (busboy alone only cut the files and read on to the end)
    const counter = { sent: 0 };
    const big = await t.app.inject({ method: 'POST', url: '/apply', headers, payload: streamedForm(40 * 1024 * 1024, counter) });
    assert.equal(big.statusCode, 413, big.body.slice(0, 300));
    assert.ok(counter.sent < 20 * 1024 * 1024, `read ${counter.sent} bytes, not the whole body`);

    // a declared length over the limit: refused before reading
    const declared = await t.app.inject({ method: 'POST', url: '/cabinet/apply', headers: { ...headers, 'content-length': String(LIMITS.multipartBodyLimit + 1) }, payload: Buffer.alloc(10) });
    assert.equal(declared.statusCode, 413);

    // within the limit: not refused for its size (this anonymous form is then refused for its CSRF token)
    const small = await t.app.inject({ method: 'POST', url: '/apply', headers, payload: streamedForm(1024 * 1024, { sent: 0 }) });
    assert.notEqual(small.statusCode, 413);
  } finally {
    await t.close();
  }
});

test('a form cut off inside a file is a 400, not an uncaught error that stops the process', async () => {
  const t = await testApp();
  try {
    const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };
    const cut = `--${BOUNDARY}\r\ncontent-disposition: form-data; name="document"; filename="a.csv"\r\ncontent-type: text/csv\r\n\r\nfirst;line;cut here`;
    for (const url of ['/apply', '/cabinet/apply', '/staff/import']) {
      const r = await t.app.inject({ method: 'POST', url, headers, payload: cut });
      assert.equal(r.statusCode, 400, url);
    }
    assert.equal((await t.app.inject({ url: '/api/live' })).statusCode, 200, 'still serving');
  } finally {
    await t.close();
  }
});
