import { Temporal } from 'temporal-polyfill';
import type { GroupType, InstructionLang } from '../db/schema.ts';
import { almatyDate } from '../clock.ts';
import type { WorkingCalendar } from './calendar.ts';
import type { Policy } from './policy.ts';
import { admitsBirthYear, groupTypeFits } from './path.ts';

/**
 * Choosing with a voucher and the kindergartens' waiting lists (DOMAIN.md "Our decisions for
 * vouchers"; docs/VOUCHERS.md "Choosing" and "Waiting lists"). Pure: no I/O, no clock reads.
 *
 * A place fits a child when the group admits its birth year, teaches in its language, is of its type
 * (correctional ↔ special needs) and the place is free early enough for its desired start (no later
 * than *available from* + policy.voucherStartMarginDays). A freed place goes first to the waiting
 * list, in the order of the vouchers' times, one offer at a time; a place nobody on the list takes
 * is free for choice.
 */

type PlainDate = Temporal.PlainDate;

export interface FitChild {
  birthYear: number;
  language: InstructionLang;
  specialNeeds: boolean;
  /** 'YYYY-MM-DD' */
  desiredStart: string;
}

export interface FitPlace {
  birthYear: number;
  /** The last birth year of a mixed-age group (absent or null: `birthYear` only). */
  birthYearMax?: number | null;
  language: InstructionLang;
  groupType: GroupType;
  /** 'YYYY-MM-DD', null: at once. */
  availableFrom: string | null;
}

/** Does this free place fit this child on `today`? (One function: the choice and the offers ask it.) */
export function placeFits(c: FitChild, p: FitPlace, today: PlainDate, policy: Pick<Policy, 'voucherStartMarginDays'>): boolean {
  if (!admitsBirthYear(p, c.birthYear) || p.language !== c.language || !groupTypeFits(c.specialNeeds, p.groupType)) return false;
  const from = p.availableFrom && p.availableFrom > today.toString() ? Temporal.PlainDate.from(p.availableFrom) : today;
  return Temporal.PlainDate.compare(Temporal.PlainDate.from(c.desiredStart), from.add({ days: policy.voucherStartMarginDays })) <= 0;
}

/** A waiting-list entry as the offer sees it: the order key is the voucher's time, then the entry's id. */
export interface OfferCandidate extends FitChild {
  entryId: number;
  /** ISO instant of the voucher's issue. */
  voucherIssuedAt: string;
}

/** Everything an offer is chosen from: recorded on the offer (with its sha256) so that it replays. */
export interface OfferInputs {
  freePlaceId: number;
  place: FitPlace;
  /** Asia/Almaty date of the offer. */
  today: string;
  marginDays: number;
  /** The kindergarten's waiting entries at that moment. */
  candidates: OfferCandidate[];
  /** Entries this place was already offered to (declined, expired or withdrawn). */
  alreadyOffered: number[];
}

const byVoucherTime = (a: OfferCandidate, b: OfferCandidate): number =>
  a.voucherIssuedAt < b.voucherIssuedAt ? -1 : a.voucherIssuedAt > b.voucherIssuedAt ? 1 : a.entryId - b.entryId;

/** The entry the place goes to next: the earliest voucher among the fitting entries that have not had it; null → free choice. */
export function nextOffer(inputs: OfferInputs): OfferCandidate | null {
  const had = new Set(inputs.alreadyOffered);
  const today = Temporal.PlainDate.from(inputs.today);
  const fitting = inputs.candidates.filter((c) => !had.has(c.entryId) && placeFits(c, inputs.place, today, { voucherStartMarginDays: inputs.marginDays }));
  return [...fitting].sort(byVoucherTime)[0] ?? null;
}

/** Inputs in one canonical form (sorted lists) for hashing and replay. */
export function canonicalInputs(i: OfferInputs): OfferInputs {
  return { ...i, candidates: [...i.candidates].sort(byVoucherTime), alreadyOffered: [...i.alreadyOffered].sort((a, b) => a - b) };
}

/** The offer holds the place to the end of this day: day 1 is the first working day after the offer. */
export function offerDeadline(offeredAt: Temporal.Instant, cal: WorkingCalendar, policy: Pick<Policy, 'waitingListOfferWorkingDays'>): PlainDate {
  return cal.addWorkingDays(almatyDate(offeredAt), policy.waitingListOfferWorkingDays);
}

/** The last day a confirmed voucher stays valid while the child waits: the campaign's end (policy 'MM-DD') on or after today. */
export function waitValidUntil(today: PlainDate, policy: Pick<Policy, 'voucherWaitValidUntil'>): PlainDate {
  const [m, d] = policy.voucherWaitValidUntil.split('-').map(Number) as [number, number];
  const end = Temporal.PlainDate.from({ year: today.year, month: m, day: d });
  return Temporal.PlainDate.compare(end, today) >= 0 ? end : end.add({ years: 1 });
}

/** Sort key for "nearest first": the great-circle distance in metres (haversine). */
export function distanceMetres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = (x: number) => (x * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

/** "51.128, 71.430" (as a map application copies it) → coordinates, or null. */
export function parseCoordinates(s: string): { lat: number; lon: number } | null {
  const m = /^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$/.exec(s);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}
