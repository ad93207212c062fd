// Request schemas of the read endpoints (runs/search, metrics/get-history, experiments/search,
// experiments/list), in the style of schemas.ts. Defaults and limits are MLflow's reference: runs
// and experiments 1000 per page by default, at most 50000; a metric history 25000 per page, at most
// 25000; experiments/list (MLflow 1.x) everything unless max_results, which is capped at 1000.
// GET endpoints get every field as a string, so integers and view types accept strings too.
import { z } from "zod";
import { expect, int64 } from "./schemas";

export const VIEW_TYPES = ["ACTIVE_ONLY", "DELETED_ONLY", "ALL"] as const;
export type ViewType = (typeof VIEW_TYPES)[number];

export const MAX_RUNS_PER_PAGE = 50_000;
export const DEFAULT_RUNS_PER_PAGE = 1000;
export const MAX_EXPERIMENTS_PER_PAGE = 50_000;
export const DEFAULT_EXPERIMENTS_PER_PAGE = 1000;
export const MAX_LIST_EXPERIMENTS = 1000;
export const MAX_HISTORY_PER_PAGE = 25_000;

const integer = int64();

/** MLflow's words for an out-of-range max_results, reported without a field prefix. */
function maxResultsWithin(max: number) {
  return (o: { max_results?: number }, ctx: z.RefinementCtx) => {
    const n = o.max_results;
    if (n !== undefined && (n < 1 || n > max)) {
      ctx.addIssue({ code: "custom", message: `Invalid value for request parameter max_results. It must be at least 1 and at most ${max}, but got value ${n}` });
    }
  };
}

// protobuf's JSON mapping writes enums by name; numbers (ACTIVE_ONLY = 1) are accepted too.
const viewType = z.union([z.string(), z.number()], expect(`one of ${VIEW_TYPES.join(", ")}`)).transform((v, ctx): ViewType => {
  const s = String(v).trim().toUpperCase();
  const found = /^[123]$/.test(s) ? VIEW_TYPES[Number(s) - 1] : VIEW_TYPES.find((t) => t === s);
  if (!found) {
    ctx.addIssue({ code: "custom", message: `must be one of ${VIEW_TYPES.join(", ")} (got ${JSON.stringify(v).slice(0, 40)})` });
    return z.NEVER;
  }
  return found;
});

const pageToken = z.string(expect("a string")).max(400, "must be at most 400 characters").optional();
const filter = z.string(expect("a string")).max(10_000, "must be at most 10000 characters").optional();
const orderBy = z
  .array(z.string(expect("a string")).max(1000, "must be at most 1000 characters"), expect("an array of strings"))
  .max(20, "at most 20 order_by entries")
  .optional()
  .default([]);

export const runsSearchSchema = z
  .object({
    experiment_ids: z
      .array(
        // Some clients send MLflow's numeric ids as numbers.
        z.union([z.string(), z.number().int()], expect("a string")).transform(String).pipe(z.string().max(64, "must be at most 64 characters")),
        expect("an array of strings"),
      )
      .max(1000, "at most 1000 experiment ids")
      .optional()
      .default([]),
    filter,
    run_view_type: viewType.optional().default("ACTIVE_ONLY"),
    max_results: integer.optional(),
    order_by: orderBy,
    page_token: pageToken,
  })
  .superRefine(maxResultsWithin(MAX_RUNS_PER_PAGE))
  .transform((o) => ({ ...o, max_results: o.max_results ?? DEFAULT_RUNS_PER_PAGE }));

/** run_id / run_uuid are checked by runsGetSchema (schemas.ts); these are the other fields. */
export const metricHistorySchema = z
  .object({
    metric_key: z.string(expect("a string")).min(1, "must not be empty").max(250, "must be at most 250 characters"),
    max_results: integer.optional(),
    page_token: pageToken,
  })
  .superRefine(maxResultsWithin(MAX_HISTORY_PER_PAGE))
  .transform((o) => ({ ...o, max_results: o.max_results ?? MAX_HISTORY_PER_PAGE }));

export const experimentsSearchSchema = z
  .object({
    max_results: integer.optional(),
    page_token: pageToken,
    filter,
    order_by: orderBy,
    view_type: viewType.optional().default("ACTIVE_ONLY"),
  })
  .superRefine(maxResultsWithin(MAX_EXPERIMENTS_PER_PAGE))
  .transform((o) => ({ ...o, max_results: o.max_results ?? DEFAULT_EXPERIMENTS_PER_PAGE }));

export const experimentsListSchema = z
  .object({
    view_type: viewType.optional().default("ACTIVE_ONLY"),
    max_results: integer.optional(),
    page_token: pageToken,
  })
  .superRefine((o, ctx) => {
    if (o.max_results !== undefined && o.max_results < 1) {
      ctx.addIssue({ code: "custom", message: `Invalid value for request parameter max_results. It must be at least 1, but got value ${o.max_results}` });
    }
  })
  // MLflow's reference: "If max_results is too large, it'll be automatically capped at 1000."
  .transform((o) => ({ ...o, max_results: o.max_results === undefined ? undefined : Math.min(o.max_results, MAX_LIST_EXPERIMENTS) }));
