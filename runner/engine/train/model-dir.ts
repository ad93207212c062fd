// Where a model named on the command line or in a config lives: a shipped model's name is a folder
// under models/ at the repository root; anything with a slash is a path. The runner and the study
// know the folder already (a BaseModel's artifactPath, the zoo) and hand it to train() instead.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const MODELS_ROOT = fileURLToPath(new URL("../../../models/", import.meta.url));

/** The folder of a model named on the command line or in a config: a shipped model's name or a path. */
export function resolveModelDir(model: string): string {
  return checkModelDir(model.includes("/") || model.startsWith(".") ? path.resolve(model) : path.join(MODELS_ROOT, model));
}

/** `dir` when it holds a model; else the error that says what a model folder holds. */
export function checkModelDir(dir: string): string {
  if (!existsSync(path.join(dir, "manifest.json"))) {
    throw new Error(`no model at ${dir} (expected manifest.json and weights.bin; shipped models are folders under models/)`);
  }
  return dir;
}
