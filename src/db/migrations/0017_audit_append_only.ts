/**
 * The audit trail is append-only (issue 13, item 15): UPDATE, DELETE and TRUNCATE on audit_log,
 * audit_chain and audit_heads are refused by statement triggers. The service never changes an audit
 * row (it inserts entries, chain links and heads), so nothing in it is refused.
 *
 * The one way around: a session that sets `kezek.audit_maintenance = 'on'` (`set local …` inside a
 * transaction). Only the tests that tamper with the chain on purpose and the benchmarks' resets take
 * it, all through test/helpers/audit-maintenance.ts; the service's code never names the setting
 * (test/integration/security-audit.test.ts checks src/). This guards against the service's own
 * mistakes and against SQL run through it; it does not stop the database's owner, who can drop the
 * trigger — that is what the daily head published outside the database (GET /api/audit/head/:date)
 * is for.
 */
export const up = `
create function audit_append_only() returns trigger language plpgsql as $fn$
begin
  if coalesce(current_setting('kezek.audit_maintenance', true), '') = 'on' then
    return null;
  end if;
  raise exception 'the audit trail is append-only: % on % is refused', tg_op, tg_table_name
    using errcode = '42501';
end
$fn$;
create trigger audit_log_append_only before update or delete or truncate on audit_log
  for each statement execute function audit_append_only();
create trigger audit_chain_append_only before update or delete or truncate on audit_chain
  for each statement execute function audit_append_only();
create trigger audit_heads_append_only before update or delete or truncate on audit_heads
  for each statement execute function audit_append_only();
`;
