import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

// Rules of the layout (docs/ARCHITECTURE.md, issue 12) that a reviewer should not have to remember:
// a routes file parses, authorises, calls a use case and renders — it builds no query and opens no
// transaction; and one module writes STOP-list entries: the outcome writer.

const root = path.resolve(import.meta.dirname, '../..');
const src = path.join(root, 'src');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(full));
    else if (/\.tsx?$/.test(e.name)) out.push(full);
  }
  return out.sort();
}
const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');
/** The code without its comments (a comment may name a query it does not run). */
const code = (f: string) =>
  fs
    .readFileSync(f, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

test('no routes file builds a query or opens a transaction', () => {
  const QUERY = /\.(selectFrom|insertInto|updateTable|deleteFrom|transaction)\s*\(/;
  const offenders = sources(src)
    .filter((f) => /routes/.test(path.basename(f)))
    .filter((f) => QUERY.test(code(f)))
    .map(rel);
  assert.deepEqual(offenders, [], "move the query into the capability's service (a use case) and call it");
});

test('one module writes STOP-list entries: src/referrals/outcomes.ts', () => {
  const INSERT = /insertInto\(\s*['"`]stop_list['"`]\s*\)|insert\s+into\s+stop_list\b/i;
  const writers = sources(src)
    .filter((f) => !rel(f).startsWith('src/db/migrations/'))
    .filter((f) => INSERT.test(code(f)))
    .map(rel);
  assert.deepEqual(writers, ['src/referrals/outcomes.ts']);
});
