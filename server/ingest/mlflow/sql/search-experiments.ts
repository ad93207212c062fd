import type { Sql } from "../../../db/sql";
import type { ViewType } from "../read-schemas";
import { experimentConditions, experimentOrder, SqlParams, viewCondition, type Clause, type OrderTerm } from "../search-filter";
import type { ExperimentRow } from "../shapes";

// experiments/search: one page of experiments, built per request from the parsed filter and order_by
// (typed clauses, never text; search-filter.ts compiles each to a fragment with bound parameters).
// LIMIT/OFFSET pages; the order always ends on the id, so pages never overlap.
const SELECT_EXPERIMENTS = `SELECT e."id"::text AS "id", e."name", e."tags", e."createdAt", e."updatedAt", e."deletedAt" FROM "Experiment" e`;

export interface ExperimentSearch {
  clauses: readonly Clause[];
  order: readonly OrderTerm[];
  view: ViewType;
  limit: number;
  offset: number;
}

export async function searchExperiments(sql: Sql, search: ExperimentSearch): Promise<ExperimentRow[]> {
  const p = new SqlParams();
  const where = [viewCondition(`e."deletedAt"`, search.view), ...experimentConditions(search.clauses, p)];
  const order = experimentOrder(search.order, p);
  const text = `${SELECT_EXPERIMENTS} WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${p.add(search.limit)} OFFSET ${p.add(search.offset)}`;
  return sql<ExperimentRow>(text, p.values);
}
