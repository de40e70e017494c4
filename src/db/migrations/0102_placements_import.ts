/**
 * The enrolled children import (issue 14): a city starts with its kindergartens as they are. A CSV
 * of placed children goes through the queue import's machinery (check row by row, preview, import
 * in one transaction); `kind` tells the two files apart. Each imported placement names its import.
 */
export const up = `
alter table queue_imports add column kind text not null default 'queue' check (kind in ('queue', 'placements'));
alter table placements add column import_id bigint references queue_imports(id);
create index placements_import_id_idx on placements(import_id) where import_id is not null;
`;
