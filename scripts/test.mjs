#!/usr/bin/env node
// Runs the test suite with Node's test runner (through tsx). Node 20's runner does not expand globs,
// so the files are found here. Usage: node scripts/test.mjs [dir-or-file ...]  (default: test/, without test/browser)
// A test file may run up to 30 minutes (the 100,000-row queue import and the crash test's 25 service restarts on a loaded 2-core machine).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const roots = args.length ? args : ['test'];
const files = [];
function walk(p) {
  const st = fs.statSync(p);
  if (st.isFile()) return void (p.endsWith('.test.ts') || p.endsWith('.test.tsx') ? files.push(p) : undefined);
  for (const e of fs.readdirSync(p).sort()) {
    const full = path.join(p, e);
    if (!args.length && full === path.join('test', 'browser')) continue; // browser tests: npm run test:browser
    walk(full);
  }
}
for (const r of roots) walk(r);
if (!files.length) {
  console.error('no test files found under', roots.join(' '));
  process.exit(1);
}
const engine = process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite';
console.log(`# ${files.length} test files on ${engine}`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=1800000', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
