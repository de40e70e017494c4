/**
 * Identity squatting (issue 13).
 * - parents.identity_check / first_applications.identity_check: what the mobile-number register
 *   said about the first application's phone (src/identity/): 'yes', or 'unknown' / 'unavailable'
 *   let through by the policy (identityUnknown = 'flag') — the department sees those flagged; null:
 *   no register was asked (none configured, or the parent came another way).
 * - uploads.used_at: a supporting document is used once, by the record that refers to it
 *   (privilege claim, PMPK conclusion, extension); documents already referred to are marked.
 */
export const up = `
alter table parents add column identity_check text check (identity_check in ('yes', 'unknown', 'unavailable'));
alter table first_applications add column identity_check text check (identity_check in ('yes', 'unknown', 'unavailable'));
alter table uploads add column used_at timestamptz;
update uploads u set used_at = u.created_at
 where u.id in (
   select substring(document_ref from '^upload:([0-9]+)$')::bigint from privilege_claims where document_ref ~ '^upload:[0-9]+$'
   union select substring(pmpk_document_ref from '^upload:([0-9]+)$')::bigint from applications where pmpk_document_ref ~ '^upload:[0-9]+$'
   union select substring(extension_document from '^upload:([0-9]+)$')::bigint from referrals where extension_document ~ '^upload:[0-9]+$');
create index parents_identity_flagged_idx on parents(id) where identity_check in ('unknown', 'unavailable');
`;
