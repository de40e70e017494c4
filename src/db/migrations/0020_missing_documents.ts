/**
 * Missing documents (issue 14, DOMAIN.md "Missing documents"): a referral may be registered with
 * documents missing; the missing ones are recorded here (document keys, as a JSON array) and shrink as
 * the kindergarten records them brought. The contract waits for the full list. A refused contract
 * keeps its reason as a code of the closed list (contracts.refused_reason) and an optional note.
 */
export const up = `
alter table referrals add column missing_documents jsonb not null default '[]';
alter table contracts add column refused_note text;
`;
