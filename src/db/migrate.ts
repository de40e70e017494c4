import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001_core.ts';
import * as m0002 from './migrations/0002_calendar_seed.ts';
import * as m0003 from './migrations/0003_referral_flags.ts';
import * as m0004 from './migrations/0004_distribution.ts';
import * as m0005 from './migrations/0005_application_pmpk.ts';
import * as m0005p from './migrations/0005_parents.ts';
import * as m0007 from './migrations/0007_staff.ts';
import * as m0008 from './migrations/0008_application_preferences_array.ts';
import * as m0009 from './migrations/0009_queue_snapshot.ts';
import * as m0010 from './migrations/0010_department.ts';
import * as m0011 from './migrations/0011_queue_import.ts';
import * as m0012 from './migrations/0012_admin.ts';
import * as m0013 from './migrations/0013_first_apply.ts';
import * as m0014 from './migrations/0014_queue_changes.ts';
import * as m0015 from './migrations/0015_placements.ts';
import * as m0035 from './migrations/0035_identity.ts';
import * as m0030 from './migrations/0030_first_apply_limits.ts';
import * as m0031 from './migrations/0031_phone_change_limits.ts';
import * as m0032 from './migrations/0032_queue_lookup_limits.ts';
import * as m0033 from './migrations/0033_session_otp.ts';
import * as m0020 from './migrations/0020_missing_documents.ts';
import * as m0070 from './migrations/0070_state_checks.ts';
import * as m0080 from './migrations/0080_inactive_applications.ts';
import * as m0120 from './migrations/0120_refresh_campaigns.ts';
import * as m0160 from './migrations/0160_payments.ts';
import * as m0130 from './migrations/0130_vouchers.ts';
import * as m0016 from './migrations/0016_staff_security.ts';
import * as m0017 from './migrations/0017_audit_append_only.ts';
import * as m0045 from './migrations/0045_birth_date_check.ts';
import * as m0021 from './migrations/0021_leaving.ts';
import * as m0022 from './migrations/0022_teacher.ts';
import * as m0060 from './migrations/0060_sms_lanes.ts';
import * as m0061 from './migrations/0061_calendar_years.ts';
import * as m0062 from './migrations/0062_mail_outbox.ts';
import * as m0100 from './migrations/0100_group_years.ts';
import * as m0101 from './migrations/0101_season_turns.ts';
import * as m0150 from './migrations/0150_attendance.ts';
import * as m0151 from './migrations/0151_attendance_certificates.ts';
import * as m0110 from './migrations/0110_transfers.ts';
import * as m0111 from './migrations/0111_exchanges.ts';
import * as m0102 from './migrations/0102_placements_import.ts';
import * as m0103 from './migrations/0103_contract_templates.ts';
import * as m0104 from './migrations/0104_contract_template_version.ts';
import * as m0140 from './migrations/0140_vaccination_flags.ts';
import * as m0141 from './migrations/0141_voucher_choice.ts';

/** Migrations, in order. Each is plain SQL that PostgreSQL 15 and PGlite (18) both accept. */
const migrations: Record<string, { up: string }> = {
  '0001_core': m0001,
  '0002_calendar_seed': m0002,
  '0003_referral_flags': m0003,
  '0004_distribution': m0004,
  '0005_application_pmpk': m0005,
  '0005_parents': m0005p,
  '0007_staff': m0007,
  '0008_application_preferences_array': m0008,
  '0009_queue_snapshot': m0009,
  '0010_department': m0010,
  '0011_queue_import': m0011,
  '0012_admin': m0012,
  '0013_first_apply': m0013,
  '0014_queue_changes': m0014,
  '0015_placements': m0015,
  '0035_identity': m0035,
  '0030_first_apply_limits': m0030,
  '0031_phone_change_limits': m0031,
  '0032_queue_lookup_limits': m0032,
  '0033_session_otp': m0033,
  '0020_missing_documents': m0020,
  '0070_state_checks': m0070,
  '0080_inactive_applications': m0080,
  '0120_refresh_campaigns': m0120,
  '0160_payments': m0160,
  '0130_vouchers': m0130,
  '0016_staff_security': m0016,
  '0017_audit_append_only': m0017,
  '0045_birth_date_check': m0045,
  '0021_leaving': m0021,
  '0022_teacher': m0022,
  '0060_sms_lanes': m0060,
  '0061_calendar_years': m0061,
  '0062_mail_outbox': m0062,
  '0100_group_years': m0100,
  '0101_season_turns': m0101,
  '0150_attendance': m0150,
  '0151_attendance_certificates': m0151,
  '0110_transfers': m0110,
  '0111_exchanges': m0111,
  '0102_placements_import': m0102,
  '0103_contract_templates': m0103,
  '0104_contract_template_version': m0104,
  '0140_vaccination_flags': m0140,
  '0141_voucher_choice': m0141,
};

/** A fingerprint of the migrations as loaded (test templates are keyed by it). */
export function migrationsFingerprint(): string {
  return Object.entries(migrations)
    .map(([name, m]) => `${name}\n${m.up}`)
    .join('\n--\n');
}

class StaticProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, m] of Object.entries(migrations)) {
      out[name] = { up: async (db: Kysely<unknown>) => void (await sql.raw(m.up).execute(db)) };
    }
    return out;
  }
}

/**
 * Bring the schema up to date; safe to run from several processes at once (Kysely takes a lock).
 * Numbers are allotted per feature and features land in any order (0013 may be applied before 0012
 * lands), so a missing lower-numbered migration is applied after higher ones rather than refused.
 */
export async function migrate(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider(), allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of the migrations this code knows that the database has not applied (readiness: none). */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new StaticProvider() });
  return (await migrator.getMigrations()).filter((m) => !m.executedAt).map((m) => m.name);
}
