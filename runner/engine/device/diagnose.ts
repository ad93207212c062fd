// The device diagnostic behind `npm run device`: can onnxruntime create sessions for the engine's
// graphs on a device, and which of their nodes does it leave on the CPU?
//
// The graphs are created and run once in a child process at log severity 0, because onnxruntime and
// the WebGPU stack (Dawn, the Vulkan loader) write what matters straight to the process's stderr:
// the node placements, and the real reason a GPU adapter is missing ("Found no drivers", a missing
// libvulkan.so.1), which the thrown error never carries. A child also survives a native abort
// (PLATFORM.md: 'gpu-buffer' outputs killed the process on the H100) and still gets reported.
import { spawn } from "node:child_process";
import { writeSync } from "node:fs";
import type { Device } from "../onnx/session";
import { ort } from "../onnx/session";
import { initParams } from "../model/init";
import { createPolicySession, type GraphKind } from "../model/policy";
import { BOS, type ModelConfig } from "../model/config";
import { VOCAB_SIZE } from "../tasks/tokenizer";
import { Rng } from "../util/rng";
import { toError } from "../util/to-error";
import { CPU_PROVIDER, parsePlacements, type ProviderPlacement } from "./placement";

/**
 * The engine's graphs as training uses them: the KV-cache sampler with its cache on the host
 * (prefill, decode) and on the device (upload of the weights, prefill.device, decode.device), the
 * scorer, the GRPO step.
 */
export const DIAGNOSED_GRAPHS: GraphKind[] = ["prefill", "decode", "upload", "prefill.device", "decode.device", "scorer", "grpo"];

/** Small enough to build in a second; placement depends on the ops, not on the sizes. */
export const DIAGNOSTIC_MODEL: ModelConfig = { vocabSize: VOCAB_SIZE, context: 32, width: 32, depth: 1, heads: 2 };

const MARK = "@@urlvr-graph ";

export interface GraphReport {
  graph: GraphKind;
  ok: boolean;
  error?: string;
  /** Milliseconds to create the session and run the graph once. */
  ms?: number;
  placements: ProviderPlacement[];
}

export interface DeviceReport {
  device: Device;
  /** True when every graph's session was created and ran. */
  ok: boolean;
  graphs: GraphReport[];
  /** One line when the device is unusable: what failed and what to do. */
  problem?: string;
  /** The child's exit, when it ended abnormally (a native abort). */
  crash?: string;
}

/**
 * Child side: creates each graph's session (marker lines on fd 2 split the log per graph), runs it
 * once on small inputs, and prints one JSON line per graph on stdout.
 */
export async function runGraphsHere(device: Device): Promise<void> {
  const c = DIAGNOSTIC_MODEL;
  const rng = new Rng(1, "device-diagnostic");
  const params = initParams(c, rng);
  const policy = await createPolicySession(c, { device, threads: 1, logSeverity: 0, kvCache: "host" });
  const onDevice = await createPolicySession(c, { device, threads: 1, logSeverity: 0, kvCache: "device" });
  const prompts = [[BOS, 5, 6, 7], [BOS, 8, 9]];
  const seqs = prompts.map((p) => [...p, 10, 11, 12]);
  const starts = prompts.map((p) => p.length);
  const sample = (p: typeof policy) => p.sample(params, prompts, { temperature: 1, topP: 1, maxNewTokens: 4, rng, ignoreEos: true });
  const run: Record<GraphKind, () => Promise<unknown>> = {
    prefill: async () => undefined, // runs with decode, through sample()
    decode: () => sample(policy),
    upload: async () => undefined,
    "prefill.device": async () => undefined,
    "decode.device": () => sample(onDevice),
    scorer: () => policy.score(params, seqs, starts),
    grpo: () => policy.grpoStep(params, {
      tokens: seqs,
      responseMask: seqs.map((s, i) => s.map((_, t) => (t >= starts[i]! ? 1 : 0))),
      oldLogprobs: seqs.map((s) => new Float32Array(s.length).fill(-3)),
      refLogprobs: seqs.map((s) => new Float32Array(s.length).fill(-3)),
      advantages: [1, -1],
    }, { clipEps: 0.2, klCoef: 0.01, maxGradNorm: 1, temperature: 1 }),
    logits: async () => undefined,
    ce: async () => undefined,
  };
  for (const graph of DIAGNOSED_GRAPHS) {
    writeSync(2, `${MARK}${graph}\n`);
    writeSync(1, `${MARK}${graph}\n`);
    const t0 = performance.now();
    let line: Omit<GraphReport, "placements">;
    try {
      await (graph.endsWith(".device") || graph === "upload" ? onDevice : policy).session(graph);
      await run[graph]();
      line = { graph, ok: true, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      line = { graph, ok: false, error: oneLine(toError(e).message) };
    }
    writeSync(1, `${JSON.stringify(line)}\n`);
    // A device that cannot create one session (no adapter) cannot create the next either.
    if (!line.ok) break;
  }
  await policy.release();
  await onDevice.release();
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/**
 * Why a device could not be used, in one line, from the thrown error and the child's stderr.
 * Known causes come from the H100 and from this project's CPU machines (PLATFORM.md "GPU").
 */
export function explainFailure(error: string, stderr: string): string {
  // The adapter sentence alone: neither onnxruntime's source path nor createSession's pointer here.
  const err = /Failed to get a WebGPU adapter[^\n(]*/.exec(error)?.[0].trim() ?? error;
  const hint = (() => {
    if (/libvulkan\.so\.1: cannot open shared object file/.test(stderr)) {
      return "the Vulkan loader libvulkan.so.1 is missing: install libvulkan1 (and the glvnd libraries; runner/engine/device/README.md lists them)";
    }
    if (/Found no drivers/.test(stderr)) {
      return "the Vulkan loader found no driver: point VK_DRIVER_FILES at the GPU's ICD file and __EGL_VENDOR_LIBRARY_FILENAMES at its EGL vendor file (on the H100 machine: /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json and /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json; see runner/engine/device/README.md)";
    }
    if (/shaderUniform\*ArrayDynamicIndexing required/.test(stderr)) {
      return "the only Vulkan driver lacks features WebGPU needs (Mesa's CPU driver lavapipe is one such): a real GPU driver is needed";
    }
    if (/No supported adapters/.test(err)) return "no GPU adapter: is this a machine with a GPU and its Vulkan driver?";
    return "";
  })();
  return hint ? `${oneLine(err)} (${hint})` : oneLine(err);
}

/** Parent side: runs `command` (which ends in runGraphsHere) and reads its output into a report. */
export async function diagnoseDevice(device: Device, command: { file: string; args: string[] }, env: NodeJS.ProcessEnv = process.env): Promise<DeviceReport> {
  const child = spawn(command.file, command.args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  const results = new Map<string, Omit<GraphReport, "placements">>();
  for (const line of out.split("\n")) {
    if (line.startsWith("{")) {
      const r = JSON.parse(line) as Omit<GraphReport, "placements">;
      results.set(r.graph, r);
    }
  }
  const logs = new Map<string, string>();
  const parts = err.split(MARK);
  for (const part of parts.slice(1)) {
    const nl = part.indexOf("\n");
    logs.set(part.slice(0, nl), part.slice(nl + 1));
  }
  const graphs: GraphReport[] = [];
  for (const g of DIAGNOSED_GRAPHS) {
    const r = results.get(g);
    if (!r && !logs.has(g)) continue;
    graphs.push({ ...(r ?? { graph: g, ok: false, error: "the process ended while this graph was being created or run" }), placements: parsePlacements(logs.get(g) ?? "") });
  }
  const crashed = exit.code !== 0 || exit.signal !== null;
  const crash = crashed ? `exit ${exit.signal ?? exit.code}: ${crashLine(err)}` : undefined;
  const firstFailure = graphs.find((g) => !g.ok);
  const ok = !crashed && graphs.length === DIAGNOSED_GRAPHS.length && !firstFailure;
  const problem = ok ? undefined : firstFailure?.error ? explainFailure(firstFailure.error, err) : crash ?? "no graph was created";
  return { device, ok, graphs, problem, crash };
}

/** The line of a dead child's stderr that says what killed it (a C++ terminate first, else the last lines). */
function crashLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l.trim() && !l.includes("onnxruntime:") && !l.startsWith(MARK));
  const native = lines.find((l) => /terminate called|what\(\)|Segmentation fault|FATAL ERROR/.test(l));
  return oneLine(native ?? lines.slice(-3).join(" | "));
}

/** onnxruntime's backends as the loaded library reports them. */
export function backendsLine(): string {
  const list = ort.listSupportedBackends().map((b) => `${b.name} (${b.bundled ? "bundled" : "not bundled"})`).join(", ");
  return `onnxruntime-node ${ort.env.versions.node ?? "?"} backends: ${list}`;
}

/** The report as the CLI prints it: one line per graph, CPU fallbacks listed by op. */
export function formatReport(r: DeviceReport): string[] {
  const lines: string[] = [];
  const shown = (p: ProviderPlacement) => p.provider.replace(/ExecutionProvider$/, "");
  let fallback = 0;
  for (const g of r.graphs) {
    const total = g.placements.reduce((n, p) => n + p.count, 0);
    const where = g.placements.length === 0 ? "no placement logged" : g.placements.map((p) => `${p.count} on ${shown(p)}`).join(", ");
    lines.push(g.ok || g.placements.length > 0 ? `  ${g.graph.padEnd(8)} ${g.ok ? `ok in ${g.ms} ms` : "FAILED"}; ${total} nodes: ${where}` : `  ${g.graph.padEnd(8)} FAILED`);
    if (r.device !== "cpu") {
      for (const p of g.placements.filter((p) => p.provider === CPU_PROVIDER)) {
        fallback += p.count;
        if (p.nodes.length > 0) lines.push(`           on the CPU: ${p.nodes.join(", ")}`);
      }
    }
  }
  const onCpu = r.graphs.every((g) => g.placements.length > 0 && g.placements.every((p) => p.provider === CPU_PROVIDER));
  if (r.device === "cpu") lines.push(onCpu && r.ok ? "every node of every graph runs on the CPU" : "some graph did not report its placement");
  else if (r.ok) lines.push(fallback === 0 ? `every node of every graph runs on ${r.device}` : `${fallback} node(s) fall back to the CPU (each costs a copy across the bus per run)`);
  if (r.crash) lines.push(`the diagnostic process died: ${r.crash}`);
  if (r.problem) lines.push(`${r.device}: cannot run the engine's graphs: ${r.problem}`);
  return lines;
}
