import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CONTRACT_TEMPLATE_VERSION, CONTRACT_TEXTS, fillContract, type ContractFields } from '../../src/contracts/template.ts';
import { renderContractPdf } from '../../src/contracts/pdf.ts';

const FIELDS: (keyof ContractFields)[] = [
  'contractNumber',
  'referralNumber',
  'date',
  'organisationName',
  'organisationAddress',
  'parentName',
  'parentIin',
  'parentPhone',
  'childName',
  'childIin',
  'childBirthDate',
  'groupName',
  'groupLanguage',
];

test('the model contract: every field is used in both languages, each filled text keeps the values and leaves no placeholder', () => {
  for (const lang of ['kk', 'ru'] as const) {
    const all = [CONTRACT_TEXTS[lang].title, ...CONTRACT_TEXTS[lang].paragraphs].join('\n');
    for (const f of FIELDS) assert.ok(all.includes(`{${f}}`), `${lang} template uses {${f}}`);
  }
  fc.assert(
    fc.property(
      fc.record(Object.fromEntries(FIELDS.map((f) => [f, fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/[{}]/.test(s))])) as Record<keyof ContractFields, fc.Arbitrary<string>>),
      fc.constantFrom('kk' as const, 'ru' as const),
      (fields, lang) => {
        const text = fillContract(lang, fields);
        const all = [text.title, ...text.paragraphs].join('\n');
        assert.doesNotMatch(all, /\{\w+\}/);
        for (const f of FIELDS) assert.ok(all.includes(fields[f]), `${f} appears`);
      },
    ),
    { numRuns: 200 },
  );
  assert.match(CONTRACT_TEMPLATE_VERSION, /^model-\d{4}\.\d+$/);
});

test('the model contract renders to a PDF with an embedded DejaVu font and the verification link', async () => {
  const fields = Object.fromEntries(FIELDS.map((f) => [f, 'әғқңөұүһі ӘҒҚҢӨҰҮҺІ'])) as unknown as ContractFields;
  const pdf = await renderContractPdf(fillContract('kk', fields), 'https://kezek.example/verify/contract/AbCdEfGhIjKlMnOpQrStUv', { version: CONTRACT_TEMPLATE_VERSION });
  const raw = pdf.toString('latin1');
  assert.equal(raw.slice(0, 5), '%PDF-');
  assert.match(raw, /\/FontFile2/, 'the TrueType font is embedded, not referenced');
  assert.match(raw, /DejaVuSans/);
  assert.match(raw, /\/URI \(https:\/\/kezek\.example\/verify\/contract\/AbCdEfGhIjKlMnOpQrStUv\)/);
});
