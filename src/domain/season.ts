import { Temporal } from 'temporal-polyfill';
import type { AgeName, GroupType, InstructionLang } from '../db/schema.ts';

/**
 * Groups across years and the season's turn (DOMAIN.md "After the kindergarten door", "Our
 * decisions"): pure rules, no I/O, no clock reads.
 */

/** Age names in the order a group moves up through them. */
export const AGE_NAMES: readonly AgeName[] = ['nursery', 'junior', 'middle', 'senior', 'preschool'];

/** What a group is matched on and holds. */
export interface GroupShape {
  name: string;
  ageName: AgeName | null;
  birthYear: number;
  /** The last birth year of a mixed-age group; null: `birthYear` only. */
  birthYearMax: number | null;
  language: InstructionLang;
  type: GroupType;
  capacity: number;
}

export interface TurnGroup extends GroupShape {
  id: number;
  organisationId: number;
  /** Referrals to it that are issued or registered, and its open free places. */
  outstanding: number;
  open: number;
}

/** A child holding a place of a group on the turn date. */
export interface TurnPlacement {
  id: number;
  groupId: number;
  birthYear: number;
  startsOn: string;
  /** Its leaving is recorded already (a last day on or after the turn date): it leaves by that, not by the turn. */
  leaving: boolean;
}

export interface Declaration extends GroupShape {
  id: number;
  organisationId: number;
  continuesGroupId: number | null;
}

export interface TurnInput {
  year: number;
  /** The turn date (policy: 1 September of `year`). */
  turnDate: Temporal.PlainDate;
  schoolAge: number;
  groups: readonly TurnGroup[];
  placements: readonly TurnPlacement[];
  declarations: readonly Declaration[];
}

/** Why a declaration cannot be applied (the group then only moves up a step). */
export type DeclarationProblem = 'children_outside_range' | 'capacity_below_children' | 'language_or_type_with_children';

export interface GroupMove {
  groupId: number;
  organisationId: number;
  before: GroupShape;
  after: GroupShape;
  declarationId: number | null;
  problem: DeclarationProblem | null;
  /** Children who stay in it (the school leavers gone). */
  staying: number;
  /** Free places published for next season (available from the turn date). */
  freePlaces: number;
}

export interface TurnPlan {
  year: number;
  turnDate: string;
  /** The school leavers' last day: the day before the turn date. */
  lastDay: string;
  /** Children born in this year or earlier are of school age at the turn. */
  schoolBirthYear: number;
  leaving: { placementId: number; groupId: number; endsOn: string }[];
  moves: GroupMove[];
  opening: { declarationId: number; organisationId: number; shape: GroupShape; freePlaces: number }[];
}

/** The season that turns on `turnDate` of year `year`: children born in `year - schoolAge` or earlier go to school. */
export const schoolBirthYear = (year: number, schoolAge: number): number => year - schoolAge;

/** The turn date of `year` ('MM-DD' of the policy). */
export function turnDateOf(year: number, monthDay: string): Temporal.PlainDate {
  const [m, d] = monthDay.split('-').map(Number);
  return Temporal.PlainDate.from({ year, month: m!, day: d! }, { overflow: 'constrain' });
}

/** The next age name (a pre-school group stays pre-school: its shape is for the kindergarten to declare). */
export function movedUp(a: AgeName | null): AgeName | null {
  if (a === null) return null;
  return AGE_NAMES[Math.min(AGE_NAMES.indexOf(a) + 1, AGE_NAMES.length - 1)]!;
}

/** Why a declaration for a group with these staying children cannot apply, or null. */
export function declarationProblem(d: GroupShape, before: GroupShape, stayingYears: readonly number[]): DeclarationProblem | null {
  const last = d.birthYearMax ?? d.birthYear;
  if (stayingYears.some((y) => y < d.birthYear || y > last)) return 'children_outside_range';
  if (stayingYears.length > d.capacity) return 'capacity_below_children';
  if (stayingYears.length > 0 && (d.language !== before.language || d.type !== before.type)) return 'language_or_type_with_children';
  return null;
}

/**
 * What the turn does, computed from the state before it (the preview is this plan; the turn applies
 * exactly it): children of school age leave (their placement ends the day before the turn date, the
 * place free on it); each open group takes its declared shape (or moves up one age step when none is
 * declared or the declaration no longer fits its children); declared new groups open; each group
 * gets as free places what its capacity leaves beside the children staying, the outstanding
 * referrals and the places already open — none for a group admitting only children of school age.
 */
export function planTurn(i: TurnInput): TurnPlan {
  const school = schoolBirthYear(i.year, i.schoolAge);
  const lastDay = i.turnDate.subtract({ days: 1 }).toString();
  const leaving: TurnPlan['leaving'] = [];
  const staying = new Map<number, number[]>();
  for (const p of [...i.placements].sort((a, b) => a.id - b.id)) {
    if (p.birthYear <= school && !p.leaving) {
      leaving.push({ placementId: p.id, groupId: p.groupId, endsOn: p.startsOn > lastDay ? p.startsOn : lastDay });
      continue;
    }
    const l = staying.get(p.groupId) ?? [];
    l.push(p.birthYear);
    staying.set(p.groupId, l);
  }
  const declaredFor = new Map<number, Declaration>();
  for (const d of i.declarations) if (d.continuesGroupId !== null) declaredFor.set(d.continuesGroupId, d);
  const freeFor = (shape: GroupShape, used: number) => ((shape.birthYearMax ?? shape.birthYear) > school ? Math.max(0, shape.capacity - used) : 0);
  const moves: GroupMove[] = [...i.groups]
    .sort((a, b) => a.id - b.id)
    .map((g) => {
      const before = shapeOf(g);
      const years = staying.get(g.id) ?? [];
      const d = declaredFor.get(g.id);
      const problem = d ? declarationProblem(shapeOf(d), before, years) : null;
      const after = d && !problem ? shapeOf(d) : { ...before, ageName: movedUp(before.ageName) };
      return { groupId: g.id, organisationId: g.organisationId, before, after, declarationId: d?.id ?? null, problem, staying: years.length, freePlaces: freeFor(after, years.length + g.outstanding + g.open) };
    });
  const opening = i.declarations
    .filter((d) => d.continuesGroupId === null)
    .sort((a, b) => a.id - b.id)
    .map((d) => ({ declarationId: d.id, organisationId: d.organisationId, shape: shapeOf(d), freePlaces: freeFor(shapeOf(d), 0) }));
  return { year: i.year, turnDate: i.turnDate.toString(), lastDay, schoolBirthYear: school, leaving, moves, opening };
}

function shapeOf(g: GroupShape): GroupShape {
  return { name: g.name, ageName: g.ageName, birthYear: g.birthYear, birthYearMax: g.birthYearMax === g.birthYear ? null : g.birthYearMax, language: g.language, type: g.type, capacity: g.capacity };
}
