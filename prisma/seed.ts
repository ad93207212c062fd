// Seeds the shipped base models: every models/<name>/manifest.json becomes (or updates) a BaseModel.
// Runs on every `npm start`; it only upserts, so user data is never touched.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Prisma } from "../server/db/generated/client";
import type { PrismaClient } from "../server/db/prisma";
import { readManifest, type ModelManifest } from "../runner/engine/io/manifest";

export const MODELS_DIR = "models";

export async function seedDatabase(prisma: PrismaClient, modelsDir = MODELS_DIR): Promise<string[]> {
  if (!existsSync(modelsDir)) return [];
  const seeded: string[] = [];
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    const manifestPath = path.join(modelsDir, entry.name, "manifest.json");
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const dir = path.join(modelsDir, entry.name);
    await upsertBaseModel(prisma, entry.name, dir, readManifest(dir));
    seeded.push(entry.name);
  }
  return seeded.sort();
}

/** A model folder's manifest as its BaseModel row (created, or updated to match); returns its id. */
export async function upsertBaseModel(prisma: PrismaClient, name: string, dir: string, m: ModelManifest): Promise<string> {
  const data = {
    family: m.card?.family ?? "unnamed",
    description: m.card?.description ?? "",
    paramCount: BigInt(m.parameterCount),
    architecture: m.architecture,
    artifactPath: dir,
    checksum: m.weights.sha256,
    // Manifests are JSON already; the casts only tell Prisma so.
    provenance: m.provenance as Prisma.InputJsonObject,
    staticEval: m.evaluation as Prisma.InputJsonObject | undefined,
    external: false,
  };
  const row = await prisma.baseModel.upsert({ where: { name }, create: { name, ...data }, update: data, select: { id: true } });
  return row.id;
}
