import { isTransientDbError, toError } from "../server/ingest/errors";

/**
 * Runs `fn` until it succeeds, waiting with exponential backoff while the database is unreachable.
 * Any other error is thrown at once: retrying a bug or a constraint violation only repeats it.
 */
export async function retryTransient<T>(
  what: string,
  fn: () => Promise<T>,
  log: (line: string) => void,
  { initialMs = 100, maxMs = 5_000 } = {},
): Promise<T> {
  let delay = initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (thrown) {
      if (!isTransientDbError(thrown)) throw toError(thrown);
      if (attempt === 1 || attempt % 10 === 0) log(`${what}: database unavailable (${toError(thrown).message}); retrying`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, maxMs);
    }
  }
}
