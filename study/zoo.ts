// `npm run zoo`: rebuilds every base model of models/zoo.ts from scratch with the pretraining CLI,
// two at a time (one thread each, see zoo.ts), then checks each new checksum against the one the
// repository ships. `--only a,b` rebuilds some; `--out DIR` writes elsewhere (models/ by default).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ZOO, recipeArgs, type ZooRecipe } from "../models/zoo";
import { MANIFEST_FILE, readManifest } from "../runner/engine/io/manifest";
import { toError } from "../runner/engine/util/to-error";

const PARALLEL = 2;

function parseArgs(argv: string[]): { only: Set<string> | null; out: string } {
  let only: Set<string> | null = null;
  let out = "models";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--only" && argv[i + 1]) only = new Set(argv[++i]!.split(","));
    else if (a === "--out" && argv[i + 1]) out = argv[++i]!;
    else throw new Error(`unknown argument ${a} (usage: npm run zoo -- [--only name,name] [--out DIR])`);
  }
  const unknown = [...(only ?? [])].filter((n) => !ZOO.some((r) => r.name === n));
  if (unknown.length) throw new Error(`no recipe named ${unknown.join(", ")} (recipes: ${ZOO.map((r) => r.name).join(", ")})`);
  return { only, out };
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

async function main(): Promise<void> {
  const { only, out } = parseArgs(process.argv.slice(2));
  const recipes = ZOO.filter((r) => !only || only.has(r.name));
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

main().catch((e: unknown) => {
  console.error(`zoo: ${toError(e).message}`);
  process.exit(2);
});
