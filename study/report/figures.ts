// The report's figures: each PNG is written into the report folder as soon as it is drawn, and the
// curves it plots are read from a run's records here, so every section draws them the same way.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { METRICS } from "../../runner/engine/metrics/metric-names";
import type { MetricPoint } from "../../runner/engine/metrics/mcs";
import { series } from "../analysis";
import { type LineSeries, lineChart } from "../charts";
import type { StudyRunResult } from "../types";

/** The report folder and the paths written into it so far, in the order they were written. */
export interface Output {
  dir: string;
  written: string[];
}

export async function writeChart(out: Output, file: string, png: Promise<Buffer>): Promise<string> {
  const path = join(out.dir, file);
  await writeFile(path, await png);
  out.written.push(path);
  return file;
}

/** Val accuracy on [0, 1] over steps. */
export function valAccuracyChart(out: Output, file: string, title: string, lines: readonly LineSeries[]): Promise<string> {
  return writeChart(out, file, lineChart({ title, xLabel: "step", yLabel: "val/accuracy", yMin: 0, yMax: 1, series: lines }));
}

/** Reward accuracy on [0, 1] over steps with the MCS threshold drawn across: the curve an MCS is read from. */
export function rewardAccuracyChart(out: Output, file: string, title: string, lines: readonly LineSeries[], threshold: number): Promise<string> {
  return writeChart(
    out,
    file,
    lineChart({
      title,
      xLabel: "step",
      yLabel: "train/reward_accuracy",
      yMin: 0,
      yMax: 1,
      series: lines,
      hlines: [{ y: threshold, label: `MCS threshold (${threshold})` }],
    }),
  );
}

export function valPoints(run: StudyRunResult): MetricPoint[] {
  return series(run.records, METRICS.valAccuracy);
}

export function trainPoints(run: StudyRunResult, metric: string): MetricPoint[] {
  return series(run.records.filter((r) => r.step > 0), metric);
}
