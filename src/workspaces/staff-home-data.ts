import type { AppDeps } from '../context.ts';
import type { Lang } from '../db/schema.ts';

/** Who the signed-in staff member is, for the /staff home: the full name and, when scoped, the organisation. */
export async function staffHomeFacts(deps: AppDeps, userId: number, organisationId: number | null | undefined, lang: Lang): Promise<{ fullName: string; organisation: { id: number; name: string } | null }> {
  const db = deps.database.db;
  const u = await db.selectFrom('staff_users').select(['full_name']).where('id', '=', userId).executeTakeFirstOrThrow();
  const org = organisationId ? await db.selectFrom('organisations').select(['id', 'name_kk', 'name_ru']).where('id', '=', organisationId).executeTakeFirst() : undefined;
  return { fullName: u.full_name, organisation: org ? { id: org.id, name: lang === 'kk' ? org.name_kk : org.name_ru } : null };
}
