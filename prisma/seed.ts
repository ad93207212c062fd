// Seeds the shipped base models: every models/<name>/manifest.json becomes (or updates) a BaseModel.
// Runs on every `npm start`; it only upserts, so user data is never touched.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PrismaClient } from "../server/db/prisma";
import { z } from "zod";
// TEMPORARY until the engine's manifest reader lands
const modelManifestSchema = z.object({ name: z.string(), family: z.string(), description: z.string().default(""), paramCount: z.number(), architecture: z.record(z.string(), z.number()), weights: z.object({ sha256: z.string() }), provenance: z.record(z.string(), z.unknown()), staticEval: z.record(z.string(), z.unknown()).optional() });

export const MODELS_DIR = "models";

export async function seedDatabase(prisma: PrismaClient, modelsDir = MODELS_DIR): Promise<string[]> {
  if (!existsSync(modelsDir)) return [];
  const seeded: string[] = [];
  for (const entry of readdirSync(modelsDir, { withFileTypes: true })) {
    const manifestPath = path.join(modelsDir, entry.name, "manifest.json");
    if (!entry.isDirectory() || !existsSync(manifestPath)) continue;
    const parsed = modelManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, "utf8")));
    if (!parsed.success) {
      throw new Error(`${manifestPath} is not a valid model manifest: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    const m = parsed.data;
    const data = {
      family: m.family,
      description: m.description,
      paramCount: BigInt(m.paramCount),
      architecture: m.architecture,
      artifactPath: path.join(modelsDir, entry.name),
      checksum: m.weights.sha256,
      provenance: m.provenance,
      staticEval: m.staticEval ?? undefined,
      external: false,
    };
    await prisma.baseModel.upsert({ where: { name: m.name }, create: { name: m.name, ...data }, update: data });
    seeded.push(m.name);
  }
  return seeded.sort();
}
