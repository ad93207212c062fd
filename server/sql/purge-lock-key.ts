// Not a statement: the advisory-lock key of one run's purge, kept in one place because four
// statements must agree on it. A purge holds it at session level while it deletes the run's points in
// batches (lock-run-for-purge.ts, unlock-run-for-purge.ts); a restore try-locks it for the rest of its
// transaction and skips a run it cannot take (restore-deleted-runs.ts, restore-experiment-and-runs.ts),
// so a run is never restored half purged. Exported for those statement files only; `runId` is their
// SQL expression for the run's id (a column or a parameter), never a value.
export const purgeLockKey = (runId: string): string => `hashtextextended('urlvr-purge:' || ${runId}::text, 0)`;
