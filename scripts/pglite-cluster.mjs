#!/usr/bin/env node
// Builds src/db/pglite-cluster.tar.br: an empty, freshly initialised PGlite cluster (initdb's output,
// no tables of Kezek's — the migrations still run at start), brotli-compressed, and its sidecar
// src/db/pglite-cluster.json naming the PGlite version that made it. A first start on an empty
// DATA_DIR unpacks it instead of running initdb (3–7 s of a first start on a busy 2-core machine).
// Rebuild when @electric-sql/pglite changes version (test/integration/pglite-cluster.test.ts fails
// until then; meanwhile a start with a mismatched snapshot ignores it and runs initdb as before):
//   node scripts/pglite-cluster.mjs
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { PGlite } from '@electric-sql/pglite';

const root = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8'));
const pg = await PGlite.create();
const version = (await pg.query('select version() as v')).rows[0].v;
const tar = Buffer.from(await (await pg.dumpDataDir('none')).arrayBuffer());
await pg.close();
const br = zlib.brotliCompressSync(tar, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: tar.length } });
fs.writeFileSync(path.join(root, 'src/db/pglite-cluster.tar.br'), br);
fs.writeFileSync(path.join(root, 'src/db/pglite-cluster.json'), `${JSON.stringify({ pglite: pkg.version, postgres: version, tarBytes: tar.length }, null, 2)}\n`);
console.log(`src/db/pglite-cluster.tar.br: ${br.length} bytes (${tar.length} unpacked), PGlite ${pkg.version}`);
