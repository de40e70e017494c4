// What the outgoing HTTP clients share (the SMS gateway, the identity register): a few retries with a
// doubling pause unless an answer is final, the credentials' header, one POST with its timeout, and
// the whole numbers their settings take.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `once`, tried again up to `retries` times (pausing backoffMs, then twice that, …) unless its error is `permanent`. */
export async function withRetries<T>(retries: number, backoffMs: number, once: () => Promise<T>): Promise<T> {
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
