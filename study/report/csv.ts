// The report's data files beside README.md: runs.csv (one row per run), models.csv (the zoo table)
// and curves.csv (every run and step), so every number in the report can be checked or replotted.
import { stringify } from "csv-stringify/sync";
import { METRICS } from "../../runner/engine/metrics/metric-names";
import { formatMcs } from "../../server/services/leaderboard-table";
import { type ZooAnalysis, summarizeRun } from "../analysis";
import type { StudyResults } from "../types";
import { staticLabels } from "./zoo";

const CURVE_METRICS = [
  METRICS.rewardAccuracy, METRICS.groundTruthReward, METRICS.proxyReward, METRICS.entropy, METRICS.lengthMean, METRICS.repetition, METRICS.valAccuracy,
] as const;

export const RUNS_CSV_COLUMNS = [
  "run_id", "sections", "model", "reward", "seed", "dataset_size", "ttt", "lr", "steps", "mcs_step", "mcs_censored",
  "val_initial", "val_peak", "val_peak_step", "val_final", "gt_gain", "failure_mode", "seconds",
] as const;

export const CURVES_CSV_COLUMNS = ["run_id", "step", ...CURVE_METRICS] as const;

function csv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  // CRLF records as the dashboard's exports (RFC 4180); empty cells for missing values.
  return stringify([header as unknown[], ...(rows as unknown[][])], {
    record_delimiter: "windows",
    cast: { boolean: (v) => (v ? "true" : "false"), number: (v) => String(v) },
  });
}

/** Accuracies, rewards and gains in runs.csv and models.csv: 3 decimals, as in the README. */
function r3(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000;
}

export function runsCsv(results: StudyResults): string {
  return csv(
    RUNS_CSV_COLUMNS,
    results.runs.map((run) => {
      const s = summarizeRun(run);
      const intrinsic = s.reward !== "ground_truth";
      return [
        s.id, s.sections.join(" "), s.model, s.reward, s.seed, s.datasetSize, s.ttt, s.lr, s.steps, s.mcs.step, s.mcs.censored,
        r3(s.val.initial), r3(s.val.peak), s.val.peakStep, r3(s.val.final), s.reward === "ground_truth" ? r3(s.gain) : null,
        intrinsic ? s.failure.mode : null, Number(run.seconds.toFixed(1)),
      ];
    }),
  );
}

export function modelsCsv(zoo: ZooAnalysis): string {
  const keys = staticLabels(zoo);
  return csv(
    ["rank", "model", "family", "parameters", "pretraining_steps", "corruption", ...keys.map((k) => `static_${k.replace(/[^A-Za-z0-9@]+/g, "_").toLowerCase()}`), "mcs_median", "mcs_censored", "mcs_label", "mcs_per_seed", "gt_gain_median", "gt_gain_per_seed", "pass_at_k_gain"],
    zoo.rows.map((r) => [
      r.row.rank, r.row.model, r.row.family, r.parameters, r.pretrainingSteps, r.corruption, ...keys.map((k) => r3(r.staticEval[k])),
      r.row.mcs?.step ?? null, r.row.mcs ? r.row.mcs.censored : null, r.row.mcsLabel,
      r.mcsPerSeed.map((s) => `s${s.seed}:${formatMcs(s.value)}`).join(" "), r3(r.row.gtGain),
      r.gtGainPerSeed.map((s) => `s${s.seed}:${r3(s.value)}`).join(" "), r3(r.row.passAtKGain),
    ]),
  );
}

export function curvesCsv(results: StudyResults): string {
  const rows: unknown[][] = [];
  for (const run of results.runs) {
    for (const rec of [...run.records].sort((a, b) => a.step - b.step)) {
      rows.push([run.spec.id, rec.step, ...CURVE_METRICS.map((m) => (Number.isFinite(rec.metrics[m]) ? rec.metrics[m] : null))]);
    }
  }
  return csv(CURVES_CSV_COLUMNS, rows);
}
