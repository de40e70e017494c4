/**
 * The department operator's work: an extension reviewed after the fact and revoked (who, when, why;
 * the supporting document stays attached to the referral), and the reason an organisation or a
 * group was closed.
 */
export const up = `
alter table referrals add column extension_revoked_at timestamptz;
alter table referrals add column extension_revoked_by bigint references staff_users(id);
alter table referrals add column extension_revoke_reason text;
create index referrals_extension_revoked_by_idx on referrals(extension_revoked_by);
create index referrals_extended_idx on referrals(extended_at) where extended_at is not null;
alter table organisations add column closed_reason text;
alter table groups add column closed_reason text;
`;
