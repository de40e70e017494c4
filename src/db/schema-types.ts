/** The column types every table file of the schema shares (src/db/schema.ts re-exports the tables). */
import type { ColumnType, Generated } from 'kysely';

export type Id = Generated<number>;
export type Ts = ColumnType<Date, Date | string, Date | string>;
export type TsNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
/** A calendar date as 'YYYY-MM-DD'. */
export type DateStr = string;
export type Json<T = unknown> = ColumnType<T, string, string>;
export type GroupType = 'general' | 'correctional' | 'sanatorium';
