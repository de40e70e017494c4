/**
 * At most `n` calls of `f` at a time; the others wait their turn (first come, first served). Used by
 * the queue lookup's live counting fallback and by the SMS sender's batch.
 */
export function limitConcurrency(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(f: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await f();
    } finally {
      const next = waiting.shift();
      if (next) next(); // the slot passes to the next caller
      else running--;
    }
  };
}
