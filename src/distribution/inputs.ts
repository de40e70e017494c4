import crypto from 'node:crypto';
import zlib from 'node:zlib';
import type { GroupType, InstructionLang, Tier } from '../db/schema.ts';
import type { Ordered, Place, ProtocolEntry, PassReason } from '../domain/distribution.ts';

/**
 * A run's inputs as stored with it: the places and the part of the queue the run read, in a compact
 * canonical JSON (rows as arrays, sorted by id), hashed with SHA-256 and kept gzipped. Replaying a
 * run decodes these and recomputes it with the pure rule.
 */
export interface RunInputs {
  v: 1;
  /** The day of the run (Asia/Almaty): the stop-list was judged on it. */
  runDate: string;
  ratio: number;
  places: Place[];
  /** The applications the run read, each with its queue number (its position in its cohort's order of service). */
  candidates: Ordered[];
}

type PlaceRow = [number, number, number, number, InstructionLang, GroupType];
type CandRow = [number, string, Tier, number, number, InstructionLang, 0 | 1, number[], 0 | 1, 0 | 1, number];

export function encodeInputs(i: RunInputs): { json: string; hash: string; gz: Buffer } {
  const places: PlaceRow[] = [...i.places].sort((a, b) => a.id - b.id).map((p) => [p.id, p.groupId, p.organisationId, p.birthYear, p.language, p.groupType]);
  const candidates: CandRow[] = [...i.candidates]
    .sort((a, b) => a.c.id - b.c.id)
    .map(({ c, queueNumber }) => [c.id, c.number, c.tier, c.appliedAt, c.birthYear, c.language, c.specialNeeds ? 1 : 0, [...c.preferences], c.stopListed ? 1 : 0, c.outstandingReferral ? 1 : 0, queueNumber]);
  const json = JSON.stringify({ v: 1, runDate: i.runDate, ratio: i.ratio, places, candidates });
  return { json, hash: sha256(json), gz: zlib.gzipSync(json, { level: 1 }) };
}

export function decodeInputs(gz: Buffer): { inputs: RunInputs; hash: string } {
  const json = zlib.gunzipSync(gz).toString('utf8');
  return { hash: sha256(json), inputs: inputsFromRaw(JSON.parse(json)) };
}

/** The inputs from their parsed canonical JSON (a voucher run stores them inside its own, src/vouchers/inputs.ts). */
export function inputsFromRaw(parsed: unknown): RunInputs {
  const raw = parsed as { v: 1; runDate: string; ratio: number; places: PlaceRow[]; candidates: CandRow[] };
  return {
    v: 1,
    runDate: raw.runDate,
    ratio: raw.ratio,
    places: raw.places.map(([id, groupId, organisationId, birthYear, language, groupType]) => ({ id, groupId, organisationId, birthYear, language, groupType })),
    candidates: raw.candidates.map(([id, number, tier, appliedAt, birthYear, language, sn, preferences, sl, out, queueNumber]) => ({
      c: { id, number, tier, appliedAt, birthYear, language, specialNeeds: sn === 1, preferences, stopListed: sl === 1, outstandingReferral: out === 1 },
      queueNumber,
    })),
  };
}

export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/** One place of the public protocol: what anyone may read (application numbers, never names, IINs, phones or categories). */
export interface PublicEntry {
  placeId: number;
  organisationId: number;
  groupId: number;
  birthYear: number;
  language: InstructionLang;
  groupType: GroupType;
  recipient: {
    applicationNumber: string;
    tier: 'privileged' | 'general';
    queueNumber: number;
    organisationQueueNumber: number;
    preferenceRank: number;
  } | null;
  passedOver: { number: string; queueNumber: number; reason: PassReason }[];
  reasonCounts: Record<PassReason, number>;
}

export function publicEntry(e: ProtocolEntry): PublicEntry {
  return {
    placeId: e.place.id,
    organisationId: e.place.organisationId,
    groupId: e.place.groupId,
    birthYear: e.place.birthYear,
    language: e.place.language,
    groupType: e.place.groupType,
    recipient: e.recipient
      ? {
          applicationNumber: e.recipient.number,
          tier: e.recipient.privileged ? 'privileged' : 'general',
          queueNumber: e.recipient.queueNumber,
          organisationQueueNumber: e.recipient.organisationQueueNumber,
          preferenceRank: e.recipient.preferenceRank,
        }
      : null,
    passedOver: e.passedOver,
    reasonCounts: e.reasonCounts,
  };
}

/** The result hash: SHA-256 of the public protocol as canonical JSON, places by id. */
export function resultHash(entries: readonly PublicEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.placeId - b.placeId);
  return sha256(JSON.stringify(sorted.map(canonicalEntry)));
}

/** The entry with its keys in one fixed order (JSON.stringify keeps insertion order). */
function canonicalEntry(e: PublicEntry): unknown[] {
  const r = e.recipient;
  return [
    e.placeId,
    e.organisationId,
    e.groupId,
    e.birthYear,
    e.language,
    e.groupType,
    r ? [r.applicationNumber, r.tier, r.queueNumber, r.organisationQueueNumber, r.preferenceRank] : null,
    e.passedOver.map((p) => [p.number, p.queueNumber, p.reason]),
    [e.reasonCounts.stop_listed, e.reasonCounts.outstanding_referral, e.reasonCounts.language, e.reasonCounts.group_type, e.reasonCounts.higher_preference],
  ];
}

/** The public protocol as stored with its run: gzipped JSON, places by id. */
export function encodeProtocol(entries: readonly PublicEntry[]): Buffer {
  return zlib.gzipSync(JSON.stringify([...entries].sort((a, b) => a.placeId - b.placeId)), { level: 1 });
}

export function decodeProtocol(gz: Buffer): PublicEntry[] {
  return JSON.parse(zlib.gunzipSync(gz).toString('utf8')) as PublicEntry[];
}
