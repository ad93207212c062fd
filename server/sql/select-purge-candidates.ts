import type { Sql } from "../db/sql";
import { ACTIVE_STATUSES } from "../schemas/runs";

// The runs a purge removes: deleted before the cutoff and no longer active (QUEUED or RUNNING) (a deleted
// running run is stopping, and its runner may still write its last points). Each with its point
// count from MetricSummary, so progress and time left are known without counting MetricPoint. Oldest
// deletion first.
const SELECT_PURGE_CANDIDATES = `
SELECT r."id"::text AS "id", COALESCE((SELECT sum(s."count") FROM "MetricSummary" s WHERE s."runId" = r."id"), 0)::float8 AS "points"
  FROM "Run" r
 WHERE r."deletedAt" IS NOT NULL AND r."deletedAt" <= $1::timestamptz AND r."status"::text <> ALL($2::text[])
 ORDER BY r."deletedAt", r."id"`;

export interface PurgeCandidate {
  id: string;
  points: number;
}

export async function selectPurgeCandidates(sql: Sql, cutoff: Date): Promise<PurgeCandidate[]> {
  return sql<PurgeCandidate>(SELECT_PURGE_CANDIDATES, [cutoff, ACTIVE_STATUSES]);
}
