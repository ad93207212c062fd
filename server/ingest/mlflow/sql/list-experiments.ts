import type { Sql } from "../../../db/sql";
import type { ViewType } from "../read-schemas";
import { SqlParams, viewCondition } from "../search-filter";
import type { ExperimentRow } from "../shapes";

// MLflow 1.x's experiments/list: oldest first (it listed by increasing experiment id), everything
// unless a limit is given, so the LIMIT is added only then.
const SELECT_EXPERIMENTS = `SELECT e."id"::text AS "id", e."name", e."tags", e."createdAt", e."updatedAt", e."deletedAt" FROM "Experiment" e`;

export interface ExperimentList {
  view: ViewType;
  /** Unset: no limit. */
  limit?: number;
  offset: number;
}

export async function listExperiments(sql: Sql, list: ExperimentList): Promise<ExperimentRow[]> {
  const p = new SqlParams();
  const limit = list.limit === undefined ? "" : ` LIMIT ${p.add(list.limit)}`;
  const text = `${SELECT_EXPERIMENTS} WHERE ${viewCondition(`e."deletedAt"`, list.view)} ORDER BY e."createdAt" ASC, e."id" ASC${limit} OFFSET ${p.add(list.offset)}`;
  return sql<ExperimentRow>(text, p.values);
}
