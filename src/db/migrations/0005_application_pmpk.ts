/** Applications keep the reference of the PMPK conclusion given with special educational needs. */
export const up = `
alter table applications add column pmpk_document_ref text;
`;
