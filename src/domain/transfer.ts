/**
 * Transfers to another kindergarten (DOMAIN.md "After the kindergarten door", "Our decisions"). Pure.
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
