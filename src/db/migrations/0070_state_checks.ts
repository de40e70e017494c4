/**
 * States as check constraints (the schema conventions, test/integration/schema.test.ts): the purpose
 * of a published audit head was the one state column without one.
 */
export const up = `
alter table audit_heads add constraint audit_heads_purpose_check check (purpose in ('daily', 'distribution', 'cli'));
`;
