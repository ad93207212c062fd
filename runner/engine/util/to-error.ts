/** Turns whatever was thrown into an Error (graphile-worker's rule: every catch starts here). */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(typeof thrown === "string" ? thrown : JSON.stringify(thrown));
}
