// Loads a finished study into the dashboard's database as one experiment, so its runs appear on the
// runs pages and the leaderboard beside launched ones. Metric points go through the same writer as
// a runner's (server/ingest), which keeps each run's MCS and metric summaries; the leaderboard then
// aggregates them with the same rules the report uses, and shows the same numbers.
import type pg from "pg";
import path from "node:path";
import { MODELS_DIR, upsertBaseModel } from "../prisma/seed";
import { resolveModelDir } from "../runner/engine/train/model-dir";
import { effectiveDatasetSize } from "../runner/engine/train/config";
import { writeMetricBatch, type MetricPointInput } from "../server/ingest/metrics";
import type { PrismaClient } from "../server/db/prisma";
import type { StudyResults } from "./types";

export function experimentName(results: StudyResults): string {
  return `study (${results.plan.mode}) finished ${results.finishedAt.slice(0, 16).replace("T", " ")} UTC`;
}

/** Imports every run; refuses a study already imported (same experiment name). Returns the experiment id. */
export async function importStudy(prisma: PrismaClient, pool: pg.Pool, results: StudyResults): Promise<string> {
  const name = experimentName(results);
  if (await prisma.experiment.findFirst({ where: { name }, select: { id: true } })) {
    throw new Error(`"${name}" is already in this database`);
  }
  // The study's models as it saw them (their manifests hold the static evaluation the leaderboard reads).
  const models = new Map<string, string>();
  for (const [name, manifest] of Object.entries(results.models)) {
    const dir = resolveModelDir(name);
    // Shipped models keep the relative folder the start command's seed records.
    const shipped = path.join(MODELS_DIR, name);
    models.set(name, await upsertBaseModel(prisma, name, path.resolve(shipped) === dir ? shipped : dir, manifest));
  }

  const experiment = await prisma.experiment.create({
    data: {
      name,
      tags: ["study", results.plan.mode],
      notes: `npm run study${results.plan.mode === "quick" ? " -- --quick" : ""} on ${results.machine.cpu} (${results.machine.cores} cores)`,
      grid: { mode: results.plan.mode, steps: results.plan.steps, seeds: [...results.plan.seeds], runs: results.runs.length },
    },
  });
  for (const r of results.runs) {
    const c = r.spec.config;
    const last = r.records.at(-1);
    const run = await prisma.run.create({
      data: {
        experimentId: experiment.id,
        baseModelId: models.get(c.model)!,
        rewardMethod: c.reward,
        task: c.task,
        datasetSize: c.trainOnValidation ? c.fullValSize : effectiveDatasetSize(c),
        seed: c.seed,
        config: c,
        status: "RUNNING",
        totalSteps: c.steps,
        currentStep: last?.step ?? 0,
        startedAt: new Date(r.records[0]?.wallTime ?? Date.now()),
      },
    });
    const points: MetricPointInput[] = r.records.flatMap((rec) =>
      Object.entries(rec.metrics).map(([key, value]) => ({ key, step: rec.step, value, wallTime: rec.wallTime })),
    );
    await writeMetricBatch(pool, run.id, points);
    // Finished only once every point is stored, as a runner settles a run.
    await prisma.run.update({
      where: { id: run.id },
      data: { status: "SUCCEEDED", finishedAt: new Date(last?.wallTime ?? Date.now()) },
    });
  }
  return experiment.id;
}
