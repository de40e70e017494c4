/**
 * A first application by a parent with no cabinet yet (/apply): the form waits here, with a
 * one-time password (only its HMAC), until the code comes back. Then the parent (when new) and the
 * application are created in one transaction and the row is closed (`done`, the form cleared).
 * `parent_id` is the parent already known by that IIN when the code was asked for: the code then
 * went to the phones on file, never to the typed one. Supporting documents wait in `uploads` with
 * no parent until then. A row without its code back is cleared after a day. `kind` 'handover': not
 * an application but a request to hand a queued child's application to this parent (the child's real
 * legal representative), with its document; the department decides (handover_requests).
 */
export const up = `
create table first_applications (
  id bigint generated always as identity primary key,
  iin_hmac text not null,
  kind text not null default 'application' check (kind in ('application', 'handover')),
  parent_id bigint references parents(id),
  status text not null default 'awaiting_code' check (status in ('awaiting_code', 'done', 'burnt', 'superseded')),
  form jsonb,
  code_hmac text not null,
  attempts integer not null default 0,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  done_at timestamptz,
  application_id bigint references applications(id),
  privilege_upload_id bigint references uploads(id),
  pmpk_upload_id bigint references uploads(id),
  handover_upload_id bigint references uploads(id),
  handover_request_id bigint references handover_requests(id)
);
create index first_applications_iin_idx on first_applications(iin_hmac, created_at);
create index first_applications_parent_id_idx on first_applications(parent_id);
create index first_applications_application_id_idx on first_applications(application_id);
create index first_applications_privilege_upload_id_idx on first_applications(privilege_upload_id);
create index first_applications_pmpk_upload_id_idx on first_applications(pmpk_upload_id);
create index first_applications_handover_upload_id_idx on first_applications(handover_upload_id);
create index first_applications_handover_request_id_idx on first_applications(handover_request_id);
create index first_applications_created_at_idx on first_applications(created_at);
`;
