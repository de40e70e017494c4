/**
 * The voucher regime's third reason to refuse documents (DOMAIN.md "The voucher regime"): the
 * kindergarten's ratio of unvaccinated to vaccinated children would be exceeded. Computed from the
 * per-child flags the kindergarten records for its placed children (never from counts it types);
 * a placed child without a flag counts as neither. Pure.
 */
export interface VaccinationCounts {
  vaccinated: number;
  unvaccinated: number;
  /** Placed children without a flag yet. */
  unrecorded: number;
}

/**
 * Would admitting one more unvaccinated child take the kindergarten past the ratio? The ratio is
 * policy: at most `maxPercent` unvaccinated children per 100 vaccinated ones (integers only, so no
 * rounding decides a refusal): exceeded when (unvaccinated + 1) × 100 > maxPercent × vaccinated.
 */
export function ratioExceededWithOneMore(c: VaccinationCounts, maxPercent: number): boolean {
  return (c.unvaccinated + 1) * 100 > maxPercent * c.vaccinated;
}

/**
 * May the kindergarten refuse a voucher child for the ratio? Only when every placed child has a flag
 * (otherwise an unmarked kindergarten — no vaccinated children on record — could refuse anyone) and
 * one more unvaccinated child would exceed the ratio.
 */
export function vaccinationRefusalAllowed(c: VaccinationCounts, maxPercent: number): boolean {
  return c.unrecorded === 0 && ratioExceededWithOneMore(c, maxPercent);
}
