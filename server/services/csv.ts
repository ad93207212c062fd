// CSV exports: RFC 4180 (csv-stringify: CRLF records, quotes where needed), a header row, ISO-8601
// UTC timestamps, streamed page by page so memory stays flat however long the export.
//
// Spreadsheet formula injection: a STRING cell starting with = + - @, a tab or a carriage return is
// prefixed with a single quote, so Excel, LibreOffice and Sheets show it as text instead of running
// it. NUMBERS are written as numbers and never prefixed: -0.5 stays -0.5 (a spreadsheet reads it as
// the number it is, there is nothing to execute). Non-finite doubles are written the way MLflow
// writes them: NaN, Infinity, -Infinity, also never prefixed. Every cell goes through formatCell,
// which decides by the JavaScript type of the value, not by how its text looks.
import "server-only";
import { stringify } from "csv-stringify/sync";
import type pg from "pg";
import { z } from "zod";
import { viaPg } from "../db/sql";
import { experimentRef, RUN_STATUSES, RUN_VIEWS, type RunFilter } from "../schemas/runs";
import { selectMetricExportRuns } from "../sql/select-metric-export-runs";
import { selectMetricPointsPage } from "../sql/select-metric-points-page";
import { selectRunsExportPage, type RunExportCursor } from "../sql/select-runs-export-page";
import { formatMcs, type Leaderboard, type McsValue } from "./leaderboard-table";

const FORMULA_START = /^[=+\-@\t\r]/;

/** A string cell, made safe to open in a spreadsheet. */
export function neutralizeText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** One cell's text: by type, so numbers stay numbers and only text is neutralized. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") {
    if (Number.isNaN(v)) return "NaN";
    if (v === Infinity) return "Infinity";
    if (v === -Infinity) return "-Infinity";
    return String(v);
  }
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "boolean") return v ? "true" : "false";
  if (v instanceof Date) return v.toISOString();
  return neutralizeText(String(v));
}

const STRINGIFY_OPTIONS = { record_delimiter: "windows", quoted_match: /[\r\n]/ } as const;

/**
 * One text cell as csv-stringify writes it (quoted when it holds a comma, quote, CR or LF). Any CR
 * or LF inside a cell is quoted (csv-stringify itself only quotes the record delimiter).
 */
function encodeText(s: string): string {
  return stringify([[s]], STRINGIFY_OPTIONS).slice(0, -2);
}

/**
 * Encodes rows with a per-export cache of text cells: run ids, model names and metric keys repeat on
 * every row of a long export, so each distinct text goes through csv-stringify once. Numbers and
 * timestamps are written directly: their text (digits, sign, point, exponent, NaN, Infinity, ISO
 * dates) never needs quoting under RFC 4180. The cache is bounded so memory stays flat.
 */
export class CsvEncoder {
  private readonly cache = new Map<string, string>();

  cell(v: unknown): string {
    if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || v instanceof Date || v === null || v === undefined) {
      return formatCell(v);
    }
    const text = formatCell(v);
    let out = this.cache.get(text);
    if (out === undefined) {
      out = encodeText(text);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(text, out);
    }
    return out;
  }

  rows(rows: readonly (readonly unknown[])[]): string {
    let out = "";
    for (const r of rows) {
      for (let i = 0; i < r.length; i++) out += (i ? "," : "") + this.cell(r[i]);
      out += "\r\n";
    }
    return out;
  }
}

/** Rows to CSV text (CRLF line ends); the header only when given. */
export function toCsv(rows: readonly (readonly unknown[])[], header?: readonly string[]): string {
  const enc = new CsvEncoder();
  return (header ? enc.rows([header]) : "") + enc.rows(rows);
}

/**
 * A byte stream of CSV: the header, then each batch the iterator yields. Pull-based, so a slow
 * client slows the database reads instead of filling memory; a cancelled download stops them.
 */
export function csvStream(header: readonly string[], batches: AsyncIterable<unknown[][]>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = batches[Symbol.asyncIterator]();
  const enc = new CsvEncoder();
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(toCsv([], header)));
        return;
      }
      try {
        const next = await it.next();
        if (next.done) controller.close();
        else if (next.value.length > 0) controller.enqueue(encoder.encode(enc.rows(next.value)));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
}

export function csvResponse(filename: string, body: ReadableStream<Uint8Array> | string): Response {
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, "_")}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Metric history, long format.

export const METRIC_CSV_HEADER = ["run_id", "base_model", "reward_method", "seed", "key", "step", "value", "wall_time"] as const;

export const metricExportInput = z.object({
  runs: z
    .string()
    .min(1, "runs is required: one or several run ids, comma-separated")
    .transform((s) => [...new Set(s.split(",").map((x) => x.trim()).filter(Boolean))])
    .pipe(z.array(z.uuid("each run id must be a UUID")).min(1).max(1000)),
  key: z.string().min(1).max(250).optional(),
});

const PAGE = 10_000;

/**
 * Every point of the given runs, in (run as requested, key, step) order, read with keyset
 * pagination on the primary key (runId, key, step): each page is one index range scan and the
 * memory held is one page, whatever the run's size. Unknown run ids are skipped.
 */
export async function* metricRowBatches(
  pool: pg.Pool,
  runIds: readonly string[],
  opts: { key?: string; pageSize?: number } = {},
): AsyncGenerator<unknown[][]> {
  const pageSize = opts.pageSize ?? PAGE;
  const runs = await selectMetricExportRuns(viaPg(pool), runIds);
  const byId = new Map(runs.map((r) => [r.id, r]));
  for (const id of runIds) {
    const run = byId.get(id);
    if (!run) continue;
    let after = { key: opts.key ?? "", step: -1 };
    for (;;) {
      const rows = await selectMetricPointsPage(pool, id, after, pageSize, opts.key);
      if (rows.length === 0) break;
      yield rows.map(([k, s, v, w]) => [run.id, run.model, run.rewardMethod, run.seed, k, s, v, w]);
      const last = rows[rows.length - 1]!;
      after = { key: last[0], step: last[1] };
      if (rows.length < pageSize) break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Runs table, as filtered on /runs.

/** One or several values, comma-separated, in a query parameter. */
function csvList<T extends z.ZodType<string, string>>(item: T) {
  return z
    .string()
    .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).max(100))
    .optional();
}

/**
 * The /runs filters as query parameters (status, model, reward, experiment, tag, view) or under the
 * longer names baseModel and method, read into a RunFilter: what each means, and how this boundary
 * differs from the table's, is written at RunFilter in server/schemas/runs.ts.
 */
export const runsExportInput = z
  .object({
    status: csvList(z.enum(RUN_STATUSES, { error: `status must be one of ${RUN_STATUSES.join(", ")}` })),
    model: csvList(z.string().min(1).max(200)),
    baseModel: csvList(z.string().min(1).max(200)),
    reward: csvList(z.string().min(1).max(100)),
    method: csvList(z.string().min(1).max(100)),
    experiment: z.string().min(1).max(200).optional(),
    tag: z.string().min(1).max(200).optional(),
    view: z.enum(RUN_VIEWS, { error: `view must be one of ${RUN_VIEWS.join(", ")}` }).default("active"),
  })
  .transform(({ model, baseModel, reward, method, experiment, ...rest }) => ({
    ...rest,
    baseModel: [...(model ?? []), ...(baseModel ?? [])],
    method: [...(reward ?? []), ...(method ?? [])],
    experiment: experiment === undefined ? undefined : experimentRef(experiment),
  }) satisfies RunFilter);

export const RUNS_CSV_HEADER = [
  "run_id", "experiment", "tags", "base_model", "reward_method", "task", "dataset_size", "seed", "status",
  "current_step", "total_steps", "mcs_step", "mcs_censored", "reward_accuracy_last", "val_accuracy_first",
  "val_accuracy_best", "val_accuracy_last", "created_at", "started_at", "finished_at", "error",
] as const;

/** The runs the filter selects, newest first, a page at a time (select-runs-export-page.ts). */
export async function* runRowBatches(pool: pg.Pool, filter: RunFilter, pageSize = 2_000): AsyncGenerator<unknown[][]> {
  const sql = viaPg(pool);
  let after: RunExportCursor | null = null;
  for (;;) {
    const rows = await selectRunsExportPage(sql, filter, after, pageSize);
    if (rows.length === 0) break;
    yield rows.map((r) => [
      r.id, r.experiment, (r.tags ?? []).join(" "), r.model, r.rewardMethod, r.task, r.datasetSize, r.seed, r.status,
      r.currentStep, r.totalSteps, r.mcsStep, r.mcsCensored, r.rewardAccuracyLast, r.valFirst, r.valBest, r.valLast,
      r.createdAt, r.startedAt, r.finishedAt, r.error,
    ]);
    const last = rows[rows.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
    if (rows.length < pageSize) break;
  }
}

// ---------------------------------------------------------------------------------------------
// Leaderboard.

export const LEADERBOARD_CSV_HEADER = [
  "protocol", "rank", "base_model", "family", "mcs_median", "mcs_censored", "mcs_label", "mcs_ci_low", "mcs_ci_high", "mcs_runs",
  "mcs_censored_runs", "initial_accuracy", "initial_accuracy_se", "initial_accuracy_source", "pass_at_k", "k", "pass_at_k_gain",
  "pass_at_k_gain_se", "self_certainty_auroc", "gt_gain", "gt_gain_ci_low", "gt_gain_ci_high", "gt_gain_se", "gt_auc", "gt_runs",
] as const;

/**
 * One row per base model of the protocol, then one per predictor (its rank correlation with GT
 * gain, interval, p-values, reliability, power and verdict) under a second header row, so one file
 * holds what the page shows.
 */
export function leaderboardRows(board: Leaderboard): unknown[][] {
  const mcsBound = (v: McsValue | undefined) => (v ? formatMcs(v) : null);
  const models = board.rows.map((r) => [
    board.protocol.label, r.rank, r.model, r.family, r.mcs?.step ?? null, r.mcs ? r.mcs.censored : null, r.mcsLabel,
    mcsBound(r.mcsInterval?.lo), mcsBound(r.mcsInterval?.hi), r.mcsRuns, r.mcsCensoredRuns,
    r.initialAccuracy, r.initialAccuracySe, r.initialAccuracySource, r.passAtK, r.k, r.passAtKGain, r.passAtKGainSe,
    r.selfCertaintyAuroc, r.gtGain, r.gtGainInterval?.lo ?? null, r.gtGainInterval?.hi ?? null, r.gtGainSe, r.gtAuc, r.gtRuns,
  ]);
  const predictors = board.predictors.map((p) => [
    board.protocol.label, p.label, p.n, p.rho, p.rhoInterval?.lo ?? null, p.rhoInterval?.hi ?? null, p.alternative, p.pRho, p.tau,
    p.pTau, p.exact, p.reliability.value, board.gtGainReliability.value, p.power?.power ?? null, p.verdict, p.summary,
  ]);
  return [...models, [], [...PREDICTOR_CSV_HEADER], ...predictors];
}

export const PREDICTOR_CSV_HEADER = [
  "protocol", "predictor", "n", "rho", "rho_ci_low", "rho_ci_high", "alternative", "p_rho", "tau_b", "p_tau", "exact",
  "predictor_reliability", "gt_gain_reliability", "power_rho_0.8", "verdict", "summary",
] as const;

