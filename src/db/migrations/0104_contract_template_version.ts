/**
 * Each concluded contract keeps the template version it was concluded under (issue 14, item 2).
 * contracts.template_version was a text label of the wording in code ('model-2026.1'); it becomes
 * the version number in contract_templates. Every contract concluded before this migration was
 * concluded under that wording, which is version 1 (migration 0103); contracts never concluded
 * (pending, lapsed, refused, cancelled) have none: a pending one is printed with the version in
 * force and records it when it is concluded.
 */
export const up = `
alter table contracts alter column template_version type integer
  using (case when template_version is not null or status = 'signed' then 1 end);
alter table contracts add constraint contracts_template_version_fkey foreign key (template_version) references contract_templates(version);
create index contracts_template_version_idx on contracts(template_version) where template_version is not null;
alter table contracts add constraint contracts_signed_template check (status <> 'signed' or template_version is not null);
`;
