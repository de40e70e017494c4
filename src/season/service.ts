import type { AppDeps } from '../context.ts';
import type { InstructionLang } from '../db/schema.ts';
import { notFound } from '../errors.ts';

/** The organisation's languages and open groups (the declaration form's choices); the caller has checked the scope. */
export async function listOrganisationGroupNames(deps: AppDeps, organisationId: number): Promise<{ languages: InstructionLang[]; groups: { id: number; name: string }[] }> {
  const db = deps.database.db;
  const org = await db.selectFrom('organisations').select('languages').where('id', '=', organisationId).executeTakeFirst();
  if (!org) throw notFound();
  const groups = await db.selectFrom('groups').select(['id', 'name']).where('organisation_id', '=', organisationId).where('closed_at', 'is', null).orderBy('birth_year', 'desc').orderBy('name').execute();
  return { languages: org.languages, groups };
}
