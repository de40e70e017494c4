// What the outgoing HTTP clients share (the SMS gateway, the identity register): their common
// settings, a few retries with a doubling pause unless an answer is final, the credentials' header,
// one POST with its timeout, and the whole numbers their settings take.

/** The settings every outgoing HTTP client takes: where, as whom, the body's template, how long and how often to try. */
export interface HttpServiceOptions {
  url: string;
  token?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  template?: string | undefined;
  timeoutMs?: number | undefined;
  retries?: number | undefined;
  backoffMs?: number | undefined;
}

/** How a client tries: each request's timeout, how many times again, the first pause between. */
export interface Attempts {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

/** The attempts the settings ask for, each unset one at this client's default. */
export const attemptsOf = (o: HttpServiceOptions, defaults: Attempts): Attempts => ({
  timeoutMs: o.timeoutMs ?? defaults.timeoutMs,
  retries: o.retries ?? defaults.retries,
  backoffMs: o.backoffMs ?? defaults.backoffMs,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `once`, tried again up to `retries` times (pausing backoffMs, then twice that, …) unless its error is `permanent`. */
export async function withRetries<T>({ retries, backoffMs }: Attempts, once: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await sleep(backoffMs * 2 ** (attempt - 1));
    try {
      return await once();
    } catch (e) {
      last = e;
      if ((e as { permanent?: boolean }).permanent) break;
    }
  }
  throw last instanceof Error ? last : new Error(String(last));
}

/** POST `body` with the credentials (a bearer token, or a user and password); `what` names the service in the errors. */
export async function post(url: string, o: { token?: string | undefined; user?: string | undefined; password?: string | undefined }, headers: Record<string, string>, body: string, timeoutMs: number, what: string): Promise<Response> {
  if (o.token) headers.authorization = `Bearer ${o.token}`;
  else if (o.user) headers.authorization = `Basic ${Buffer.from(`${o.user}:${o.password ?? ''}`).toString('base64')}`;
  try {
    return await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const name = (e as Error).name;
    throw new Error(name === 'TimeoutError' || name === 'AbortError' ? `${what} timeout after ${timeoutMs} ms` : `${what} unreachable: ${(e as Error).message}`);
  }
}

/** A setting that is a whole number (unset or empty: undefined). */
export function wholeNumber(v: string | undefined, name: string): number | undefined {
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${v}"`);
  return n;
}
