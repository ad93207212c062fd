// Where a model named on the command line or in a run config lives: a shipped model's name is a
// folder under models/ at the repository root; anything with a slash is a path.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const MODELS_ROOT = fileURLToPath(new URL("../../../models/", import.meta.url));

export function resolveModelDir(model: string): string {
  const dir = model.includes("/") || model.startsWith(".") ? path.resolve(model) : path.join(MODELS_ROOT, model);
  if (!existsSync(path.join(dir, "manifest.json"))) {
    throw new Error(`no model at ${dir} (expected manifest.json and weights.bin; shipped models are folders under models/)`);
  }
  return dir;
}
