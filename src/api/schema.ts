// What the routes' schemas share: the error body and answers, the session security, the id in the
// path, the language query, a reason in a form, and hiding the HTML pages from the API's documents.
import { z } from 'zod';

/** Pages (HTML) are left out of the API's documents. */
export const hide = { hide: true } as const;
/** A record's id in the path (at most 2^53, so it stays a safe integer). */
export const id = z.coerce.number().int().positive().max(2 ** 53);
export const idParam = z.object({ id });
/** The page's language in the query, to spread into a query's object. */
export const langQ = { lang: z.string().optional() };
/** The same as a whole query schema (a page whose query has nothing else). */
export const langQuery = z.object(langQ);
export const ErrorBody = z.object({ error: z.string(), message: z.string() });
/** The answers a staff API can refuse with. */
export const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
/** The API needs a session. */
export const security = [{ session: [] }];
/** A reason typed into a form (may be empty; the use case says whether one is required). */
export const reasonBody = z.object({ reason: z.string().max(1000).default('') });
/** A time as ISO text in a JSON answer (or null). */
export const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A documented API route's schema: its tag and summary, the session it needs, then its own parts (params, body, answers). */
export const apiSchema = <S extends object>(tag: string, summary: string, parts: S) => ({ tags: [tag], summary, security, ...parts });
