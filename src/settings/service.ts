import { sql } from 'kysely';
import type { AppDeps } from '../context.ts';
import { toDate } from '../clock.ts';
import type { Actor } from '../audit/write.ts';
import { assertCan } from '../auth/permissions.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { DEFAULT_POLICY, POLICY_KEYS, isPolicyKey, resolvePolicy, validPolicyValue, type Policy } from '../domain/policy.ts';
import { useCase } from '../usecase.ts';
import { reasonOf } from '../staff-accounts/service.ts';

/**
 * The administrator's settings: the city's policy, one key at a time (validated against its type
 * and range and against the other keys), old → new and the reason audited, through useCase.
 */

export interface SettingRow {
  key: keyof Policy;
  value: Policy[keyof Policy];
  defaultValue: Policy[keyof Policy];
  /** Set by the city (a row in city_settings), not the default. */
  stored: boolean;
  updatedAt: Date | null;
}

export async function listSettings(deps: AppDeps, actor: Actor): Promise<SettingRow[]> {
  assertCan(actor, 'settings.edit');
  const rows = await deps.database.db.selectFrom('city_settings').select(['key', 'value', 'updated_at']).execute();
  const stored = new Map(rows.map((r) => [r.key, r]));
  const policy = resolvePolicy(Object.fromEntries(rows.map((r) => [r.key, r.value])));
  return POLICY_KEYS.map((key) => ({ key, value: policy[key], defaultValue: DEFAULT_POLICY[key], stored: stored.has(key), updatedAt: stored.get(key)?.updated_at ?? null }));
}

/** The advisory lock key under which settings change (an arbitrary constant of this feature). */
const SETTINGS_LOCK = 874_212_001;

/** Relations between settings that each value's own check cannot see. */
function crossCheck(p: Policy): void {
  if (p.capacityCorrectionalMin > p.capacityCorrectionalMax) throw invalid('setting_invalid', 'admin.error.correctional_range');
}

/** Change one setting (validated against its type and range), old → new and the reason audited. */
export async function setSetting(deps: AppDeps, actor: Actor, key: string, value: unknown, reason: string, requestId?: string): Promise<{ key: keyof Policy; old: unknown; value: unknown }> {
  assertCan(actor, 'settings.edit');
  if (!isPolicyKey(key)) throw notFound('unknown_setting');
  if (!validPolicyValue(key, value)) throw invalid('setting_invalid', 'admin.error.setting_invalid', { key });
  const why = reasonOf(reason);
  const result = await useCase(deps, actor, { permission: 'settings.edit', requestId }, async ({ trx, now, audit }) => {
    // one settings change at a time: the whole policy is checked as it will be (min ≤ max across two keys)
    await sql`select pg_advisory_xact_lock(${SETTINGS_LOCK})`.execute(trx);
    const rows = await trx.selectFrom('city_settings').select(['key', 'value']).execute();
    const current = resolvePolicy(Object.fromEntries(rows.map((r) => [r.key, r.value])));
    const old = current[key];
    if (JSON.stringify(old) === JSON.stringify(value)) throw conflict('unchanged', 'admin.error.unchanged');
    crossCheck({ ...current, [key]: value });
    await trx
      .insertInto('city_settings')
      .values({ key, value: JSON.stringify(value), updated_at: toDate(now), updated_by: actor.id })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: toDate(now), updated_by: actor.id }))
      .execute();
    await audit({ action: 'settings.changed', subjectType: 'city_setting', subjectId: null, reason: why, data: { key, old, new: value } });
    return { key, old, value };
  });
  deps.city.invalidate();
  return result;
}

/** A setting's value from a form field (numbers, 'HH:MM'/'MM-DD' text, role lists as several fields). */
export function parseSettingInput(key: keyof Policy, raw: string | string[] | undefined): unknown {
  const d = DEFAULT_POLICY[key];
  if (Array.isArray(d)) return raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const s = (Array.isArray(raw) ? raw[0] : raw)?.trim() ?? '';
  if (typeof d === 'number') return /^-?\d+$/.test(s) ? Number(s) : s;
  return s;
}

