/**
 * What attendance pays under vouchers (issue 20, docs/PAYMENTS.md).
 *
 * - staff_users: a 'finance' role (the finance department): city-wide or limited to a district like
 *   an operator; it approves months and exports statements and changes nothing else.
 * - payment_rates: the monthly norm in whole tiyn per age range (the group's age: the month's year
 *   less its birth year), group type and ownership, with a regional coefficient in basis points
 *   (10000 = 1.0000), valid for whole months. Entered by the department; a rate is never deleted and
 *   only its last day may be set later (when a new rate takes over).
 * - payment_months: a kindergarten's month of voucher money: computed (may be recomputed) → approved
 *   (locked for good), with its totals.
 * - payment_lines: one line per voucher child placed in the month ('accrual') and, for an approved
 *   month corrected later, an 'adjustment' in a later month naming the month it corrects and the line
 *   that caused it. A line blocked by the parent's open dispute pays nothing until the dispute ends.
 *
 * An approved month is locked in SQL too: its payment_months row and its lines refuse every change
 * (statement triggers), and a rate may neither start in nor end before an approved month.
 */
export const up = `
alter table staff_users drop constraint staff_users_role_check;
alter table staff_users add constraint staff_users_role_check check (role in ('kindergarten', 'operator', 'admin', 'teacher', 'finance'));
alter table staff_users drop constraint staff_users_scope_check;
alter table staff_users add constraint staff_users_scope_check check (
  (role in ('kindergarten', 'teacher') and organisation_id is not null and district_id is null)
  or (role in ('operator', 'finance') and organisation_id is null)
  or (role = 'admin' and organisation_id is null and district_id is null)
);

create table payment_rates (
  id bigint generated always as identity primary key,
  age_from integer not null check (age_from between 0 and 7),
  age_to integer not null check (age_to between 0 and 7),
  group_type text not null check (group_type in ('general', 'correctional', 'sanatorium')),
  ownership text not null check (ownership in ('state', 'private')),
  monthly_tiyn bigint not null check (monthly_tiyn between 1 and 1000000000),
  coefficient_bp integer not null check (coefficient_bp between 1 and 100000),
  valid_from date not null check (extract(day from valid_from) = 1),
  valid_to date check (valid_to is null or extract(day from valid_to + 1) = 1),
  created_at timestamptz not null,
  created_by bigint not null references staff_users(id),
  closed_at timestamptz,
  closed_by bigint references staff_users(id),
  constraint payment_rates_ages check (age_to >= age_from),
  constraint payment_rates_validity check (valid_to is null or valid_to >= valid_from)
);
create index payment_rates_key_idx on payment_rates(group_type, ownership, valid_from);
create index payment_rates_created_by_idx on payment_rates(created_by);
create index payment_rates_closed_by_idx on payment_rates(closed_by);

create table payment_months (
  id bigint generated always as identity primary key,
  organisation_id bigint not null references organisations(id),
  -- the month's first day
  month date not null check (extract(day from month) = 1),
  status text not null check (status in ('computed', 'approved')),
  computed_at timestamptz not null,
  lines integer not null,
  blocked_lines integer not null,
  -- payable lines only (accruals and adjustments not blocked)
  total_tiyn bigint not null,
  approved_at timestamptz,
  approved_by bigint references staff_users(id),
  -- printed on the approved statement as a QR code: /verify/payment/<token> (no id, no personal data)
  verify_token text,
  -- sha256 of the approved lines (docs/PAYMENTS.md "Statements"), shown by the verification page
  lines_digest text,
  constraint payment_months_approval check ((status = 'approved') = (approved_at is not null and verify_token is not null and lines_digest is not null))
);
create unique index payment_months_verify_token_idx on payment_months(verify_token) where verify_token is not null;
create unique index payment_months_one_per_month on payment_months(organisation_id, month);
create index payment_months_month_idx on payment_months(month, status);
create index payment_months_approved_by_idx on payment_months(approved_by);

create table payment_lines (
  id bigint generated always as identity primary key,
  payment_month_id bigint not null references payment_months(id),
  placement_id bigint not null references placements(id),
  -- the placement's child and group, copied for the statement (no foreign keys of their own: the
  -- placement's hold; a city's month writes 150,000 lines at once)
  child_id bigint not null,
  group_id bigint not null,
  kind text not null check (kind in ('accrual', 'adjustment')),
  -- payable; blocked by the parent's open dispute; no rate for the group (nothing paid, the department sees it)
  status text not null check (status in ('payable', 'disputed', 'no_rate')),
  rate_id bigint references payment_rates(id),
  monthly_tiyn bigint not null,
  coefficient_bp integer not null,
  working_days integer not null,
  placed_days integer not null,
  -- placed working days not paid, and among them those the timesheet never had (the group-day not saved)
  unpaid_days integer not null,
  unmarked_days integer not null,
  payable_days integer not null,
  amount_tiyn bigint not null,
  -- an adjustment: the approved month it corrects, the line there that caused it, and why
  corrects_month date,
  cause_line_id bigint references payment_lines(id),
  cause text check (cause in ('attendance_corrected', 'dispute_resolved')),
  constraint payment_lines_adjustment check ((kind = 'adjustment') = (corrects_month is not null and cause is not null)),
  constraint payment_lines_days check (payable_days = placed_days - unpaid_days and placed_days <= working_days and unmarked_days <= unpaid_days)
);
create unique index payment_lines_one_accrual on payment_lines(payment_month_id, placement_id) where kind = 'accrual';
create unique index payment_lines_one_adjustment on payment_lines(payment_month_id, placement_id, corrects_month) where kind = 'adjustment';
create index payment_lines_placement_id_idx on payment_lines(placement_id);
create index payment_lines_rate_id_idx on payment_lines(rate_id);
create index payment_lines_cause_line_id_idx on payment_lines(cause_line_id) where cause_line_id is not null;

-- An approved month is locked: its lines refuse insert, update and delete; its row any change.
create function payment_lines_locked() returns trigger language plpgsql as $fn$
begin
  -- separate statements: a transition table exists only for the operations that have it
  if tg_op in ('INSERT', 'UPDATE') then
    if exists (select 1 from new_rows n join payment_months m on m.id = n.payment_month_id where m.status = 'approved') then
      raise exception 'the payment month is approved' using errcode = '23514', constraint = 'payment_month_locked';
    end if;
  end if;
  if tg_op in ('DELETE', 'UPDATE') then
    if exists (select 1 from old_rows o join payment_months m on m.id = o.payment_month_id where m.status = 'approved') then
      raise exception 'the payment month is approved' using errcode = '23514', constraint = 'payment_month_locked';
    end if;
  end if;
  return null;
end
$fn$;
create trigger payment_lines_locked_ins after insert on payment_lines referencing new table as new_rows
  for each statement execute function payment_lines_locked();
create trigger payment_lines_locked_upd after update on payment_lines referencing old table as old_rows new table as new_rows
  for each statement execute function payment_lines_locked();
create trigger payment_lines_locked_del after delete on payment_lines referencing old table as old_rows
  for each statement execute function payment_lines_locked();

create function payment_months_locked() returns trigger language plpgsql as $fn$
begin
  if old.status = 'approved' then
    raise exception 'the payment month is approved' using errcode = '23514', constraint = 'payment_month_locked';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$fn$;
create trigger payment_months_locked before update or delete on payment_months
  for each row execute function payment_months_locked();

-- A rate never reaches into an approved month: a new one starts after the last approved month, and
-- only an open end may be set (not before that month's end); a rate is never deleted.
create function payment_rates_not_retroactive() returns trigger language plpgsql as $fn$
declare
  last_approved date := (select max(month) from payment_months where status = 'approved');
begin
  if tg_op = 'DELETE' then
    raise exception 'a rate is never deleted' using errcode = '23514', constraint = 'payment_rate_retroactive';
  end if;
  if tg_op = 'UPDATE' and (new.age_from, new.age_to, new.group_type, new.ownership, new.monthly_tiyn, new.coefficient_bp, new.valid_from)
      is distinct from (old.age_from, old.age_to, old.group_type, old.ownership, old.monthly_tiyn, old.coefficient_bp, old.valid_from) then
    raise exception 'only a rate''s last day may change' using errcode = '23514', constraint = 'payment_rate_retroactive';
  end if;
  if last_approved is not null then
    if tg_op = 'INSERT' and new.valid_from <= last_approved then
      raise exception 'a rate may not start in or before an approved month' using errcode = '23514', constraint = 'payment_rate_retroactive';
    end if;
    if tg_op = 'UPDATE' and new.valid_to is distinct from old.valid_to
        and least(coalesce(new.valid_to, 'infinity'::date), coalesce(old.valid_to, 'infinity'::date)) < (last_approved + interval '1 month' - interval '1 day')::date then
      raise exception 'a rate may not end before an approved month ends' using errcode = '23514', constraint = 'payment_rate_retroactive';
    end if;
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end
$fn$;
create trigger payment_rates_not_retroactive before insert or update or delete on payment_rates
  for each row execute function payment_rates_not_retroactive();
`;
