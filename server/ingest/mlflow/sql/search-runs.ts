import type { Sql } from "../../../db/sql";
import type { ViewType } from "../read-schemas";
import { RUN_FROM, runConditions, runOrder, SqlParams, viewCondition, type Clause, type OrderTerm } from "../search-filter";

// runs/search: one page of run ids. Built per request from the parsed filter and order_by (typed
// clauses, never text): search-filter.ts compiles each clause to a condition or an order term with
// its keys and values as bound parameters, and this file puts the statement together. Pages are
// LIMIT/OFFSET because MLflow's order_by may name any metric, param or tag, which no keyset index
// covers; the order always ends on start_time and the run id, so pages never overlap.
const SELECT_RUN_IDS = `SELECT r."id"::text AS "id" FROM ${RUN_FROM}`;

export interface RunSearch {
  clauses: readonly Clause[];
  order: readonly OrderTerm[];
  view: ViewType;
  /**
   * Only runs of these experiments; null for every run. `ids` must be UUIDs (others match nothing and
   * are left out by the caller); `defaultId` is MLflow's experiment "0" when asked for, which also
   * takes runs whose experiment was removed (runs/get shows those as experiment "0" too).
   */
  experiments: { ids: readonly string[]; defaultId: string | null } | null;
  limit: number;
  offset: number;
}

/** The ids of one page of runs, in the search's order. */
export async function searchRuns(sql: Sql, search: RunSearch): Promise<string[]> {
  const p = new SqlParams();
  const where = [viewCondition(`r."deletedAt"`, search.view)];
  if (search.experiments) {
    const parts = [`r."experimentId" = ANY(${p.add(search.experiments.ids)}::uuid[])`];
    if (search.experiments.defaultId !== null) {
      parts.push(`r."experimentId" IS NULL`, `r."experimentId" = ${p.add(search.experiments.defaultId)}::uuid`);
    }
    where.push(`(${parts.join(" OR ")})`);
  }
  where.push(...runConditions(search.clauses, p));
  const order = runOrder(search.order, p);
  const text = `${SELECT_RUN_IDS} WHERE ${where.join(" AND ")} ORDER BY ${order} LIMIT ${p.add(search.limit)} OFFSET ${p.add(search.offset)}`;
  return (await sql<{ id: string }>(text, p.values)).map((r) => r.id);
}
