/**
 * Vouchers (issue 18), refusing documents: the kindergarten records, per placed child, whether the
 * child is vaccinated. Health data: read only by that kindergarten and the department, kept only while
 * the child is placed (src/vaccinations/erase.ts deletes the flag once the placement has ended). The
 * voucher regime's refusal for the vaccination ratio is computed from these flags.
 *
 * A contract refusal's reason is a code of the closed list (src/domain/path.ts
 * CONTRACT_REFUSAL_REASONS; each kind's own list is checked there): the database refuses any other.
 */
export const up = `
create table vaccination_flags (
  placement_id bigint primary key references placements(id) on delete cascade,
  organisation_id bigint not null references organisations(id),
  vaccinated boolean not null,
  recorded_at timestamptz not null,
  recorded_by bigint references staff_users(id)
);
create index vaccination_flags_organisation_id_idx on vaccination_flags(organisation_id);
create index vaccination_flags_recorded_by_idx on vaccination_flags(recorded_by);

alter table contracts add constraint contracts_refused_reason_closed_list check (
  refused_reason is null or refused_reason in
    ('parent_declined', 'documents_invalid', 'child_mismatch', 'documents_missing', 'document_expired', 'vaccination_ratio', 'other'));
`;
