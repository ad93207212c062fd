// The GPU check's one table: our engine on webgpu, our engine on the CPU cores, PyTorch on CUDA,
// read from the JSON the timed runs wrote into a results folder.
//   tsx scripts/gpu/table.ts RESULTS_DIR
// Rows whose run failed or was skipped say so instead of a number; the ratio column is each row's
// seconds per iteration over the webgpu row's (above 1: slower than our engine on webgpu).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { toError } from "../../runner/engine/util/to-error";

interface Timing { seconds: number; sample: number; score: number; update: number }

const dir = process.argv[2];
if (!dir) {
  console.error("usage: tsx scripts/gpu/table.ts RESULTS_DIR");
  process.exit(2);
}

function read(file: string): Timing | string {
  const f = path.join(dir!, file);
  const note = path.join(dir!, `${file}.skipped`);
  if (existsSync(note)) return readFileSync(note, "utf8").trim();
  if (!existsSync(f)) return "no result (the run failed: see its log)";
  try {
    // bench:engine writes one JSON document; torch_iteration.py one JSON line after nothing else.
    const text = readFileSync(f, "utf8").trim();
    const j = JSON.parse(text.startsWith("{\n") ? text : text.split("\n").pop()!) as Record<string, unknown>;
    if (Array.isArray(j.rows)) return (j.rows as Timing[])[0]!; // bench:engine --json
    return { seconds: j.seconds_per_iteration as number, sample: j.sample_seconds as number, score: j.score_seconds as number, update: j.update_seconds as number };
  } catch (e) {
    return `unreadable result: ${toError(e).message}`;
  }
}

const rows: Array<[string, Timing | string]> = [
  ["our engine, webgpu (KV cache on the GPU)", read("bench-webgpu.json")],
  ["our engine, webgpu (KV cache sent from the host each step)", read("bench-webgpu-hostkv.json")],
  [`our engine, cpu (${process.env.CPU_THREADS ?? "all"} threads)`, read("bench-cpu.json")],
  ["PyTorch, CUDA", read("torch-cuda.json")],
];
const webgpu = rows[0]![1];
const f = (x: number) => x.toFixed(3);
const lines = [
  `URLVR iteration (${process.env.SHAPE ?? "see bench flags"})`,
  "| implementation | s / iteration | sample s | score s | update s | ratio vs webgpu |",
  "| --- | --- | --- | --- | --- | --- |",
];
for (const [name, r] of rows) {
  if (typeof r === "string") lines.push(`| ${name} | ${r} | | | | |`);
  else lines.push(`| ${name} | ${f(r.seconds)} | ${f(r.sample)} | ${f(r.score)} | ${f(r.update)} | ${typeof webgpu === "string" ? "n/a" : `${(r.seconds / webgpu.seconds).toFixed(2)}x`} |`);
}
console.log(lines.join("\n"));
writeFileSync(path.join(dir, "table.md"), `${lines.join("\n")}\n`);
// A row without a number that was not skipped on purpose fails the check.
process.exit(rows.some(([, r]) => typeof r === "string" && !r.startsWith("skipped")) ? 1 : 0);
