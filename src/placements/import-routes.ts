import { importRoutes } from '../queue-import/routes.ts';
import { PLACEMENTS_IMPORT, PLACEMENTS_VIEW } from './import.ts';

/** The enrolled children import's pages and routes: the queue import's (src/queue-import/routes.ts) under /staff/placements-import. */
export const placementsImportRoutes = importRoutes(PLACEMENTS_IMPORT, PLACEMENTS_VIEW);
