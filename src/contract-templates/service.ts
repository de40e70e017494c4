import type { Kysely } from 'kysely';
import type { AppDeps } from '../context.ts';
import type { ContractTemplateStatus, DB } from '../db/schema.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { AppError, conflict, invalid, notFound } from '../errors.ts';
import { mapConstraint, useCase } from '../usecase.ts';
import { almatyDate, toDate } from '../clock.ts';
import { reasonOf } from '../staff-accounts/service.ts';
import { checkBody, fillContract, normaliseBody, sampleFields, unusedPlaceholders, type ContractLang, type ContractText, type Placeholder } from '../contracts/template.ts';

/**
 * The model contract's text as data (issue 14, item 2): versions of kk and ru bodies that the
 * administrator maintains. A draft is copied from the version in force, edited, previewed with a
 * sample child and published with a reason; publishing retires the version in force. Exactly one
 * version is in force (a unique partial index); a concluded contract keeps its version
 * (contracts.template_version), so its print and PDF never change when a newer one is published.
 */

export interface TemplateRow {
  version: number;
  status: ContractTemplateStatus;
  source: 'project' | 'city';
  bodyKk: string;
  bodyRu: string;
  basedOn: number | null;
  author: string | null;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  publishedBy: string | null;
  publishReason: string | null;
  retiredAt: Date | null;
}

/** The text a contract is rendered with: its version and both bodies. */
export interface ContractTemplate {
  version: number;
  bodyKk: string;
  bodyRu: string;
}

mapConstraint('contract_templates_one_draft', () => conflict('draft_exists', 'contract_templates.error.draft_exists'));
mapConstraint('contract_templates_version_key', () => conflict('draft_exists', 'contract_templates.error.draft_exists'));
mapConstraint('contract_templates_one_active', () => conflict('publish_race', 'contract_templates.error.not_draft'));

function rowsQuery(db: Kysely<DB>) {
  return db
    .selectFrom('contract_templates as t')
    .leftJoin('staff_users as a', 'a.id', 't.author_id')
    .leftJoin('staff_users as p', 'p.id', 't.published_by')
    .select([
      't.version',
      't.status',
      't.source',
      't.body_kk',
      't.body_ru',
      't.based_on',
      't.created_at',
      't.updated_at',
      't.published_at',
      't.publish_reason',
      't.retired_at',
      'a.full_name as author',
      'p.full_name as publisher',
    ]);
}

type RawRow = Awaited<ReturnType<ReturnType<typeof rowsQuery>['executeTakeFirstOrThrow']>>;
const toRow = (r: RawRow): TemplateRow => ({
  version: r.version,
  status: r.status,
  source: r.source,
  bodyKk: r.body_kk,
  bodyRu: r.body_ru,
  basedOn: r.based_on,
  author: r.author,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  publishedAt: r.published_at,
  publishedBy: r.publisher,
  publishReason: r.publish_reason,
  retiredAt: r.retired_at,
});

/** Every version, newest first. */
export async function listTemplates(deps: AppDeps, actor: Actor): Promise<TemplateRow[]> {
  assertCan(actor, 'contract_templates.manage');
  return (await rowsQuery(deps.database.db).orderBy('t.version', 'desc').execute()).map(toRow);
}

export async function getTemplate(deps: AppDeps, actor: Actor, version: number): Promise<TemplateRow> {
  assertCan(actor, 'contract_templates.manage');
  const r = await rowsQuery(deps.database.db).where('t.version', '=', version).executeTakeFirst();
  if (!r) throw notFound();
  return toRow(r);
}

/**
 * The text to render a contract with: the version it was concluded under, or (not concluded yet)
 * the version in force. No permission of its own: the caller has already checked the print's.
 */
export async function contractTemplate(deps: AppDeps, version: number | null): Promise<ContractTemplate> {
  let q = deps.database.db.selectFrom('contract_templates').select(['version', 'body_kk', 'body_ru']);
  q = version === null ? q.where('status', '=', 'active') : q.where('version', '=', version);
  const r = await q.executeTakeFirstOrThrow();
  return { version: r.version, bodyKk: r.body_kk, bodyRu: r.body_ru };
}

export function bodyOf(t: { bodyKk: string; bodyRu: string }, lang: ContractLang): string {
  return lang === 'kk' ? t.bodyKk : t.bodyRu;
}

/** A refused body: the translated error names the language and what is wrong (the unknown placeholders by name). */
function bodyError(lang: ContractLang, body: string): AppError | null {
  const p = checkBody(body);
  if (!p) return null;
  switch (p.code) {
    case 'empty':
      return invalid('body_empty', `contract_templates.error.empty.${lang}`);
    case 'too_long':
      return invalid('body_too_long', `contract_templates.error.too_long.${lang}`, { max: p.max });
    case 'no_paragraph':
      return invalid('body_no_paragraph', `contract_templates.error.no_paragraph.${lang}`);
    case 'malformed':
      return invalid('body_malformed', `contract_templates.error.malformed.${lang}`);
    case 'unknown_placeholders':
      return invalid('unknown_placeholders', `contract_templates.error.unknown.${lang}`, { names: p.names.map((n) => `{{${n}}}`).join(', ') });
  }
}

/** Both bodies checked (Kazakh first): the first refusal is thrown. */
function assertBodies(b: { bodyKk: string; bodyRu: string }): void {
  const e = bodyError('kk', b.bodyKk) ?? bodyError('ru', b.bodyRu);
  if (e) throw e;
}

export interface Preview {
  lang: ContractLang;
  text: ContractText;
  unused: Placeholder[];
}

/** Both bodies filled with the sample child (nothing written); a body that cannot be saved is refused the same way. */
export function previewBodies(deps: AppDeps, actor: Actor, b: { bodyKk: string; bodyRu: string }): Preview[] {
  assertCan(actor, 'contract_templates.manage');
  assertBodies(b);
  const today = almatyDate(deps.clock.now()).toString().split('-').reverse().join('.');
  return (['kk', 'ru'] as const).map((lang) => {
    const body = normaliseBody(bodyOf(b, lang));
    return { lang, text: fillContract(body, lang, sampleFields(lang, today)), unused: unusedPlaceholders(body) };
  });
}

/** A new draft, copied from the version in force (one draft at a time); `from`: the version the page showed in force. */
export async function createDraft(deps: AppDeps, actor: Actor, requestId?: string, from?: number): Promise<{ version: number }> {
  return useCase(deps, actor, { permission: 'contract_templates.manage', requestId }, async ({ trx, now, audit }) => {
    const draft = await trx.selectFrom('contract_templates').select('version').where('status', '=', 'draft').executeTakeFirst();
    if (draft) throw conflict('draft_exists', 'contract_templates.error.draft_exists');
    const active = await trx.selectFrom('contract_templates').select(['version', 'body_kk', 'body_ru']).where('status', '=', 'active').forShare().executeTakeFirstOrThrow();
    // the page named the version in force it copies: another one published meanwhile is said, not copied
    if (from !== undefined && from !== active.version) throw conflict('active_changed', 'contract_templates.error.active_changed');
    const last = await trx.selectFrom('contract_templates').select((eb) => eb.fn.max('version').as('v')).executeTakeFirstOrThrow();
    const version = Number(last.v) + 1;
    const at = toDate(now);
    await trx
      .insertInto('contract_templates')
      .values({ version, status: 'draft', source: 'city', body_kk: active.body_kk, body_ru: active.body_ru, based_on: active.version, author_id: actor.id ?? null, created_at: at, updated_at: at })
      .execute();
    await audit({ action: 'contract_template.draft_created', subjectType: 'contract_template', subjectId: version, data: { version, basedOn: active.version } });
    return { version };
  });
}

/** The draft's bodies saved (checked first: nothing is written on a refusal). */
export async function saveDraft(deps: AppDeps, actor: Actor, version: number, b: { bodyKk: string; bodyRu: string }, requestId?: string): Promise<{ changed: ContractLang[] }> {
  assertCan(actor, 'contract_templates.manage');
  assertBodies(b);
  const bodyKk = normaliseBody(b.bodyKk);
  const bodyRu = normaliseBody(b.bodyRu);
  return useCase(deps, actor, { permission: 'contract_templates.manage', requestId }, async ({ trx, now, audit }) => {
    const row = await trx.selectFrom('contract_templates').select(['status', 'body_kk', 'body_ru']).where('version', '=', version).forUpdate().executeTakeFirst();
    if (!row) throw notFound();
    if (row.status !== 'draft') throw conflict('not_draft', 'contract_templates.error.not_draft');
    const changed: ContractLang[] = [...(row.body_kk !== bodyKk ? (['kk'] as const) : []), ...(row.body_ru !== bodyRu ? (['ru'] as const) : [])];
    if (changed.length === 0) return { changed };
    await trx.updateTable('contract_templates').set({ body_kk: bodyKk, body_ru: bodyRu, updated_at: toDate(now) }).where('version', '=', version).where('status', '=', 'draft').execute();
    await audit({ action: 'contract_template.edited', subjectType: 'contract_template', subjectId: version, data: { version, changed } });
    return { changed };
  });
}

/**
 * The draft comes into force now, with the administrator's reason; the version in force is retired.
 * Contracts concluded before keep their version; contracts concluded from now on get this one.
 */
export async function publishDraft(deps: AppDeps, actor: Actor, version: number, reason: string, requestId?: string): Promise<{ previous: number }> {
  assertCan(actor, 'contract_templates.manage');
  const why = reasonOf(reason);
  return useCase(deps, actor, { permission: 'contract_templates.manage', requestId }, async ({ trx, now, audit }) => {
    const row = await trx.selectFrom('contract_templates').select(['status', 'body_kk', 'body_ru']).where('version', '=', version).forUpdate().executeTakeFirst();
    if (!row) throw notFound();
    if (row.status !== 'draft') throw conflict('not_draft', 'contract_templates.error.not_draft');
    assertBodies({ bodyKk: row.body_kk, bodyRu: row.body_ru });
    const active = await trx.selectFrom('contract_templates').select('version').where('status', '=', 'active').forUpdate().executeTakeFirstOrThrow();
    const at = toDate(now);
    await trx.updateTable('contract_templates').set({ status: 'retired', retired_at: at }).where('version', '=', active.version).where('status', '=', 'active').execute();
    await trx
      .updateTable('contract_templates')
      .set({ status: 'active', published_at: at, published_by: actor.id ?? null, publish_reason: why })
      .where('version', '=', version)
      .where('status', '=', 'draft')
      .execute();
    await audit({ action: 'contract_template.published', subjectType: 'contract_template', subjectId: version, reason: why, data: { version, previous: active.version } });
    return { previous: active.version };
  });
}
