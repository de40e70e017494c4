/**
 * Transfers and exchanges of places (DOMAIN.md "After the kindergarten door", "Our decisions"). Pure.
 */

export type TransferPreferenceProblem = 'preferences_required' | 'preferences_too_many' | 'preferences_duplicate' | 'current_organisation';

/**
 * A transfer request's ranked preferences follow an application's rules (1..max, no repeats) and never
 * name the kindergarten the child is in now (a transfer goes elsewhere). Answers the first problem, or null.
 */
export function transferPreferencesProblem(preferences: readonly number[], currentOrganisationId: number, max: number): TransferPreferenceProblem | null {
  if (preferences.length === 0) return 'preferences_required';
  if (preferences.length > max) return 'preferences_too_many';
  if (new Set(preferences).size !== preferences.length) return 'preferences_duplicate';
  if (preferences.includes(currentOrganisationId)) return 'current_organisation';
  return null;
}

/** A placed child as an exchange sees it: the child's birth year and the group it is in. */
export interface ExchangeSide {
  birthYear: number;
  organisationId: number;
  group: { birthYears: readonly number[]; language: string; type: string };
}

export type ExchangeMisfit = 'same_organisation' | 'birth_year' | 'language' | 'group_type';

/**
 * Two placed children may swap places when each child's birth year is admitted by the other's group
 * and both groups have the same language and type (DOMAIN.md; issue 15), in different kindergartens.
 */
export function exchangeMisfit(a: ExchangeSide, b: ExchangeSide): ExchangeMisfit | null {
  if (a.organisationId === b.organisationId) return 'same_organisation';
  if (!b.group.birthYears.includes(a.birthYear) || !a.group.birthYears.includes(b.birthYear)) return 'birth_year';
  if (a.group.language !== b.group.language) return 'language';
  if (a.group.type !== b.group.type) return 'group_type';
  return null;
}
