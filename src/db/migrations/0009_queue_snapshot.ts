/**
 * Queue-number snapshots (src/applications/snapshot.ts): every queued application's numbers, computed
 * for the whole city in one statement at one moment, so that the public lookup reads them by primary
 * key instead of counting the applications ahead. A refresh writes a new generation and publishes it
 * with its `queue_snapshots` row in the same transaction (readers see all of a generation or none of
 * it), then deletes the older generations. Derived data, rebuilt within a minute: the tables are
 * unlogged (no WAL for a million rows a minute; after a server crash they are empty and the lookup
 * counts live until the next refresh). No foreign keys: a generation is a copy, not a reference.
 */
export const up = `
create sequence queue_snapshot_generation_seq;
create unlogged table queue_snapshots (
  generation bigint primary key,
  taken_at timestamptz not null,
  applications integer not null check (applications >= 0),
  refresh_ms integer not null check (refresh_ms >= 0)
);
create unlogged table queue_positions (
  generation bigint not null,
  application_id bigint not null,
  position integer not null check (position >= 1),
  ahead_extraordinary integer not null,
  ahead_primary integer not null,
  ahead_general integer not null,
  pref_organisations bigint[] not null,
  pref_positions integer[] not null,
  pref_ahead integer[] not null,
  primary key (generation, application_id)
);
`;
