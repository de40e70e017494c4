import type { AgeName } from '../db/schema.ts';

/**
 * Groups across years and the season's turn (DOMAIN.md "After the kindergarten door", "Our
 * decisions"): pure rules, no I/O, no clock reads.
 */

/** Age names in the order a group moves up through them. */
export const AGE_NAMES: readonly AgeName[] = ['nursery', 'junior', 'middle', 'senior', 'preschool'];
