import type { Sql } from "../db/sql";

// The runs filter bar's tag choices: every tag of a live experiment, once, in order. Capped so a lab
// with thousands of tags still renders its filter bar.
const SELECT_EXPERIMENT_TAGS = `SELECT DISTINCT unnest("tags") AS tag FROM "Experiment" WHERE "deletedAt" IS NULL ORDER BY tag LIMIT 500`;

export async function selectExperimentTags(sql: Sql): Promise<string[]> {
  return (await sql<{ tag: string }>(SELECT_EXPERIMENT_TAGS, [])).map((r) => r.tag);
}
