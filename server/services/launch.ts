/**
 * Launch: one Experiment and its grid of QUEUED runs, created in one transaction (a nested create is
 * one atomic write in Prisma), or nothing at all when any field is wrong.
 */
import "server-only";
import type { Prisma } from "../db/generated/client";
import type { PrismaClient } from "../db/prisma";
import { invalidInput } from "../errors";
import { expandGrid, runConfig, type LaunchRequest } from "../schemas/launch";
import { effectiveDatasetSize } from "../../runner/engine/train/config";


export interface LaunchResult {
  experimentId: string;
  runIds: string[];
}

/** Creates the experiment and one QUEUED run per grid cell. `input` is already schema-checked. */
export async function launchGrid(prisma: PrismaClient, input: LaunchRequest): Promise<LaunchResult> {
  const models = await prisma.baseModel.findMany({ where: { id: { in: input.baseModelIds } } });
  const byId = new Map(models.map((m) => [m.id, m]));
  // Field problems the schema alone cannot see (they need the database).
  const problems: string[] = [];
  const missing = input.baseModelIds.filter((id) => !byId.has(id));
  if (missing.length > 0) problems.push(`Unknown base model (${missing.join(", ")})`);
  const external = models.filter((m) => m.external).map((m) => m.name);
  if (external.length > 0) {
    problems.push(`${external.join(", ")} is trained by an outside trainer and reports through the ingestion API; it cannot be launched here`);
  }
  if (problems.length > 0) throw invalidInput({ baseModelIds: problems });

  const runs: Prisma.RunCreateManyExperimentInput[] = expandGrid(input).map((cell) => {
    const config = runConfig(input, cell, byId.get(cell.baseModelId)!.name);
    return {
      baseModelId: cell.baseModelId,
      rewardMethod: cell.rewardMethod,
      task: config.task,
      datasetSize: effectiveDatasetSize(config),
      seed: cell.seed,
      config,
      totalSteps: config.steps,
      status: "QUEUED",
    };
  });
  const { baseModelIds, rewardMethods, datasetSizes, seeds, name, notes, tags, ...shared } = input;
  const experiment = await prisma.experiment.create({
    data: {
      name,
      notes,
      tags,
      grid: { baseModelIds, rewardMethods, datasetSizes, seeds, ...shared },
      runs: { createMany: { data: runs } },
    },
    select: { id: true, runs: { select: { id: true }, orderBy: { createdAt: "asc" } } },
  });
  return { experimentId: experiment.id, runIds: experiment.runs.map((r) => r.id) };
}
