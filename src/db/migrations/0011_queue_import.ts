/**
 * Queue import: a city's existing queue brought in from a CSV file. Each upload is checked row by
 * row and kept (gzipped, with its sha256) with its rejected rows until an operator imports it or
 * discards it; the import then creates the applications in one transaction, keeping their original
 * application times. Every imported application names its import (applications.import_id), so an
 * auditor can trace a queue place back to the file and the operator who brought it in. The file
 * itself is dropped once imported or discarded (its hash stays).
 */
export const up = `
create table queue_imports (
  id bigint generated always as identity primary key,
  status text not null default 'checked' check (status in ('checked', 'imported', 'discarded')),
  file_name text not null check (length(file_name) <= 300),
  file_sha256 text not null check (file_sha256 ~ '^[0-9a-f]{64}$'),
  file_size bigint not null check (file_size >= 0),
  -- gzip of the uploaded file while it waits to be imported; null once imported or discarded
  file_data bytea,
  rows_total integer not null check (rows_total >= 0),
  rows_valid integer not null check (rows_valid >= 0),
  rows_rejected integer not null check (rows_rejected >= 0),
  -- every rejected row: [{ "row": line, "code": …, "key": message key, "params": {…} }]
  rejects jsonb not null,
  checked_at timestamptz not null,
  checked_by bigint not null references staff_users(id),
  decided_at timestamptz,
  decided_by bigint references staff_users(id),
  -- counts of what the import created (applications, parents, children, privilege claims)
  result jsonb
);
create index queue_imports_checked_by_idx on queue_imports(checked_by);
create index queue_imports_decided_by_idx on queue_imports(decided_by);

alter table applications add column import_id bigint references queue_imports(id);
create index applications_import_id_idx on applications(import_id) where import_id is not null;
`;
