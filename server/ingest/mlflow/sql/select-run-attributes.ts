import type { Sql } from "../../../db/sql";
import { ENGINE_RUN, LAB_RUN, LAB_TAGS, RUN_FROM } from "../search-filter";

// Params and tags of a page of runs: those logged through the API, then, for lab runs, those derived
// from the run (its training config as params, its columns as tags). The derivations are
// search-filter.ts's fragments, the ones filters and order_by compare, so a filter matches exactly
// what is shown. DISTINCT ON with the rank lets a logged key win over a derived one.
const LAB_TAG_ROWS = Object.entries(LAB_TAGS)
  .map(([k, expr]) => `('${k}', ${expr})`)
  .join(", ");

const SELECT_RUN_ATTRIBUTES = `
SELECT DISTINCT ON (x."runId", x."kind", x."key") x."runId"::text AS "runId", x."kind", x."key", x."value"
  FROM (
    SELECT a."runId", a."kind", a."key", a."value", 0 AS "rank"
      FROM "RunAttribute" a WHERE a."runId" = ANY($1::uuid[])
    UNION ALL
    SELECT r."id", 'param', c."key", c."value", 1
      FROM ${RUN_FROM} CROSS JOIN LATERAL jsonb_each_text(CASE WHEN ${ENGINE_RUN} THEN r."config" END) c
     WHERE r."id" = ANY($1::uuid[]) AND c."value" IS NOT NULL
    UNION ALL
    SELECT r."id", 'tag', t."key", t."value", 1
      FROM ${RUN_FROM} CROSS JOIN LATERAL (VALUES ${LAB_TAG_ROWS}) AS t("key", "value")
     WHERE r."id" = ANY($1::uuid[]) AND ${LAB_RUN} AND t."value" IS NOT NULL
  ) x
 ORDER BY x."runId", x."kind", x."key", x."rank"`;

export interface RunAttributeRow {
  runId: string;
  kind: "param" | "tag";
  key: string;
  value: string;
}

/** Ordered by run, kind and key. */
export async function selectRunAttributes(sql: Sql, ids: readonly string[]): Promise<RunAttributeRow[]> {
  return sql<RunAttributeRow>(SELECT_RUN_ATTRIBUTES, [ids]);
}
