// `npm run zoo`: rebuilds every base model of models/zoo.ts from scratch with the pretraining CLI,
// two at a time (one thread each, see zoo.ts), then checks each new checksum against the one the
// repository ships. `--only a,b` rebuilds some; `--out DIR` writes elsewhere (models/ by default).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { ZOO, recipeArgs, type ZooRecipe } from "../models/zoo";
import { parseCommandLine, runCommand } from "../runner/engine/cli/args";
import { MANIFEST_FILE, readManifest } from "../runner/engine/io/manifest";

const PARALLEL = 2;

const USAGE = `usage: npm run zoo -- [--only NAME,NAME] [--out DIR]

Rebuilds the base models of models/zoo.ts (--only: some of them) into DIR (default models).`;

const zooFlagsSchema = z.object({ only: z.string().optional(), out: z.string().default("models") }).strict();

/** The recipes `--only` names (all without it); a name that is none is refused with the recipes' names. */
function chosenRecipes(only: string | undefined): readonly ZooRecipe[] {
  if (only === undefined) return ZOO;
  const names = new Set(only.split(","));
  const unknown = [...names].filter((n) => !ZOO.some((r) => r.name === n));
  if (unknown.length) throw new Error(`no recipe named ${unknown.join(", ")} (recipes: ${ZOO.map((r) => r.name).join(", ")})`);
  return ZOO.filter((r) => names.has(r.name));
}

function shippedChecksum(name: string): string | null {
  const dir = join("models", name);
  return existsSync(join(dir, MANIFEST_FILE)) ? readManifest(dir).weights.sha256 : null;
}

function build(r: ZooRecipe, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "runner/engine/cli/pretrain.ts", ...recipeArgs(r, out)], {
      stdio: ["ignore", "inherit", "pipe"],
    });
    let tail = "";
    child.stderr.on("data", (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-2000);
      // Progress lines of the child, prefixed so two interleaved builds stay readable.
      for (const line of text.split(/[\r\n]+/).filter(Boolean)) process.stderr.write(`[${r.name}] ${line}\n`);
    });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${r.name} failed (exit ${code}): ${tail.trim().split("\n").pop()}`))));
  });
}

async function main(argv: string[]): Promise<void> {
  const { values, help } = parseCommandLine(argv, zooFlagsSchema);
  if (help) return void console.log(USAGE);
  const { out } = values;
  const recipes = chosenRecipes(values.only);
  const before = new Map(recipes.map((r) => [r.name, shippedChecksum(r.name)]));
  mkdirSync(out, { recursive: true });
  const queue = [...recipes];
  await Promise.all(Array.from({ length: PARALLEL }, async () => {
    for (let r = queue.shift(); r; r = queue.shift()) await build(r, out);
  }));
  let mismatches = 0;
  for (const r of recipes) {
    const now = readManifest(join(out, r.name)).weights.sha256;
    const was = before.get(r.name);
    const verdict = was === null ? "new" : was === now ? "same checksum as shipped" : "DIFFERS from shipped";
    if (was !== null && was !== now) mismatches++;
    console.log(`${r.name.padEnd(16)} ${now.slice(0, 16)}  ${verdict}`);
  }
  if (mismatches > 0) {
    console.log(`${mismatches} model(s) differ from the shipped weights (another CPU or library version can change float rounding)`);
    process.exitCode = 1;
  }
}

runCommand(() => main(process.argv.slice(2)), { prefix: "zoo:", failureExit: 2 });
