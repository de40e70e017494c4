import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fillContract, PLACEHOLDERS, versionLine, type ContractFields, type Placeholder } from '../../src/contracts/template.ts';
import { renderContractPdf } from '../../src/contracts/pdf.ts';
import { testDatabase } from '../helpers/db.ts';

/** Version 1 of the model contract, as migration 0103 seeds it (the wording Kezek shipped in code before). */
async function versionOne(): Promise<{ kk: string; ru: string; source: string; status: string }> {
  const d = await testDatabase();
  try {
    const r = await d.db.selectFrom('contract_templates').select(['body_kk', 'body_ru', 'source', 'status']).where('version', '=', 1).executeTakeFirstOrThrow();
    return { kk: r.body_kk, ru: r.body_ru, source: r.source, status: r.status };
  } finally {
    await d.close();
  }
}

test('the model contract: version 1 uses every field in both languages, each filled text keeps the values and leaves no placeholder', async () => {
  const v1 = await versionOne();
  assert.equal(v1.status, 'active', 'a fresh database has version 1 in force');
  assert.equal(v1.source, 'project', "marked as the project's own wording");
  for (const lang of ['kk', 'ru'] as const) for (const f of PLACEHOLDERS) assert.ok(v1[lang].includes(`{{${f}}}`), `${lang} template uses {{${f}}}`);
  fc.assert(
    fc.property(
      fc.record(Object.fromEntries(PLACEHOLDERS.map((f) => [f, fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[{}]/.test(s) && s.trim() === s && s !== '')])) as Record<Placeholder, fc.Arbitrary<string>>),
      fc.constantFrom('kk' as const, 'ru' as const),
      (fields, lang) => {
        const text = fillContract(v1[lang], lang, fields);
        const all = [text.title, ...text.paragraphs].join('\n');
        assert.doesNotMatch(all, /\{\{|\}\}/);
        for (const f of PLACEHOLDERS) assert.ok(all.includes(fields[f]), `${f} appears`);
      },
    ),
    { numRuns: 200 },
  );
  // the title is the first paragraph, then the five clauses and the date line
  const kk = fillContract(v1.kk, 'kk', Object.fromEntries(PLACEHOLDERS.map((f) => [f, f.toUpperCase()])) as ContractFields);
  assert.equal(kk.title, 'Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы үлгілік шарт № NUMBER');
  assert.equal(kk.paragraphs.length, 7);
  assert.match(kk.paragraphs[6]!, /^5\. Шарт қол қойылған күннен бастап күшіне енеді/);
});

test('the model contract renders to a PDF with an embedded DejaVu font, the verification link and its version', async () => {
  const v1 = await versionOne();
  const fields = Object.fromEntries(PLACEHOLDERS.map((f) => [f, 'әғқңөұүһі ӘҒҚҢӨҰҮҺІ'])) as ContractFields;
  const pdf = await renderContractPdf(fillContract(v1.kk, 'kk', fields), 'https://kezek.example/verify/contract/AbCdEfGhIjKlMnOpQrStUv', { version: versionLine('kk', 1) });
  const raw = pdf.toString('latin1');
  assert.equal(raw.slice(0, 5), '%PDF-');
  assert.match(raw, /\/FontFile2/, 'the TrueType font is embedded, not referenced');
  assert.match(raw, /DejaVuSans/);
  assert.match(raw, /\/URI \(https:\/\/kezek\.example\/verify\/contract\/AbCdEfGhIjKlMnOpQrStUv\)/);
});
