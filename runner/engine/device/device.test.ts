import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { diagnoseDevice, explainFailure, formatReport } from "./diagnose";
import { checkParity, compareRuns, PARITY_STEPS, readReference, type ParityRun } from "./parity";
import { parsePlacements } from "./placement";
import { extrapolateTraffic, measureTraffic } from "./transfers";
import { paramShapes } from "../model/config";

const cli = (args: string[]) => spawnSync("node_modules/.bin/tsx", ["runner/engine/cli/device.ts", ...args], { encoding: "utf8", timeout: 60_000 });

describe("node placement log", () => {
  it("reads a split placement, one node per line, and keeps only the last session's", () => {
    const log = [
      "2026-11-26 12:00:00.1 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements",
      "2026-11-26 12:00:00.1 [V:onnxruntime:, session_state.cc:1380 VerifyEachNodeIsAssignedToAnEp]  All nodes placed on [CPUExecutionProvider]. Number of nodes: 9",
      "2026-11-26 12:00:00.2 [V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp] Node placements",
      "2026-11-26 12:00:00.2 [V:onnxruntime:, session_state.cc:1386 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2",
      "2026-11-26 12:00:00.2 [V:onnxruntime:, session_state.cc:1388 VerifyEachNodeIsAssignedToAnEp]   MatMul (n3)",
      "2026-11-26 12:00:00.2 [V:onnxruntime:, session_state.cc:1388 VerifyEachNodeIsAssignedToAnEp]   MemcpyFromHost (Memcpy)",
      "2026-11-26 12:00:00.2 [V:onnxruntime:, session_state.cc:1386 VerifyEachNodeIsAssignedToAnEp]  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 2",
      "2026-11-26 12:00:00.2 [V:onnxruntime:, session_state.cc:1388 VerifyEachNodeIsAssignedToAnEp]   Shape (n1), Gather (n2)",
      "2026-11-26 12:00:00.2 [W:onnxruntime:, session_state.cc:1390 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers",
    ].join("\n");
    expect(parsePlacements(log)).toEqual([
      { provider: "WebGpuExecutionProvider", count: 2, nodes: ["MatMul (n3)", "MemcpyFromHost (Memcpy)"] },
      { provider: "CPUExecutionProvider", count: 2, nodes: ["Shape (n1)", "Gather (n2)"] },
    ]);
  });
});

describe("explainFailure", () => {
  // The stderr lines are what Dawn and the Vulkan loader printed on this project's CPU machines.
  const err = "/onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 ... was false. Failed to get a WebGPU adapter: No supported adapters";
  it.each([
    ["Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory", /libvulkan1/],
    ["Warning: vkCreateInstance: Found no drivers!\nWarning: vkCreateInstance failed with VK_ERROR_INCOMPATIBLE_DRIVER", /VK_DRIVER_FILES.*__EGL_VENDOR_LIBRARY_FILENAMES/],
    ["Warning: Vulkan shaderUniform*ArrayDynamicIndexing required.\n - While initializing adapter (backend=BackendType::Vulkan)", /lavapipe/],
  ])("names the cause for %j", (stderr, hint) => {
    const line = explainFailure(err, stderr);
    expect(line).toMatch(/^Failed to get a WebGPU adapter: No supported adapters \(/);
    expect(line).toMatch(hint);
    expect(line).not.toContain("\n");
  });
});

describe("npm run device", () => {
  it("on the CPU: every graph is created, run, and placed on the CPU", () => {
    const out = cli([]);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^onnxruntime-node 1\.30\.\d+ backends: cpu \(bundled\), webgpu \(bundled\)/);
    for (const g of ["prefill", "decode", "scorer", "grpo"]) expect(out.stdout).toMatch(new RegExp(`  ${g} +ok in \\d+ ms; (\\d+) nodes: \\1 on CPU\\n`));
    expect(out.stdout).toContain("every node of every graph runs on the CPU\n");
  });

  it("on webgpu without a usable GPU: exit 1 and one line saying why", () => {
    const out = cli(["--device", "webgpu"]);
    // A machine with a working GPU passes the diagnostic; this project's machines have none.
    if (out.status === 0) return;
    expect(out.status).toBe(1);
    const last = out.stdout.trim().split("\n").pop()!;
    expect(last).toMatch(/^webgpu: cannot run the engine's graphs: Failed to get a WebGPU adapter: No supported adapters \(.+\)$/);
  });

  it("rejects a bad flag with exit 2", () => {
    for (const args of [["--device", "cuda"], ["--frobnicate"]]) {
      const out = cli(args);
      expect(out.status).toBe(2);
      expect(out.stderr).toMatch(/\n\(see --help\)\n$/);
    }
  });

  it("reports a diagnostic process that dies inside a graph", async () => {
    const r = await diagnoseDevice("webgpu", {
      file: process.execPath,
      args: ["-e", "process.stderr.write('@@urlvr-graph prefill\\nterminate called after throwing an instance of \\'char const*\\'\\n'); process.abort()"],
    });
    expect(r.ok).toBe(false);
    expect(r.crash).toMatch(/^exit SIGABRT: terminate called/);
    expect(r.graphs.map((g) => [g.graph, g.ok])).toEqual([["prefill", false]]);
    expect(formatReport(r).join("\n")).toMatch(/the diagnostic process died: exit SIGABRT/);
  });
});

describe("parity", () => {
  it(`a fresh CPU run of the fixed small run matches the recorded reference (${PARITY_STEPS} updates, ${PARITY_STEPS} steps)`, async () => {
    const check = await checkParity("cpu");
    const [c] = check.comparisons;
    expect(c!.mismatches).toEqual([]);
    expect(c!.divergedAt).toBeNull();
    expect(check.ok).toBe(true);
  });

  it("flags a value out of tolerance, and stops judging where the rollouts diverge", () => {
    const ref = readReference();
    const copy = (): ParityRun => JSON.parse(JSON.stringify(ref)) as ParityRun;
    expect(compareRuns("same", copy(), ref).ok).toBe(true);

    const off = copy();
    off.fixed[2]!.grad_norm! *= 1.01;
    const c = compareRuns("off", off, ref);
    expect(c.ok).toBe(false);
    expect(c.mismatches.map((m) => `${m.where} ${m.key}`)).toEqual(["fixed update 3 grad_norm"]);

    const diverged = copy();
    diverged.run[3]!.metrics["response/length_mean"]! += 1;
    diverged.run[4]!.metrics["actor/entropy"]! *= 2; // after the divergence: not judged
    const d = compareRuns("diverged", diverged, ref);
    expect([d.divergedAt, d.ok]).toEqual([3, true]);

    const atStart = copy();
    atStart.run[0]!.metrics["val/accuracy"] = 0.5;
    expect(compareRuns("at start", atStart, ref).ok).toBe(false);
  });
});

describe("host<->device traffic", () => {
  it("is weights x calls plus a part linear in the rollouts, so small batches predict a large one exactly", async () => {
    const shape = { model: { vocabSize: 53, context: 48, width: 16, depth: 2, heads: 2 }, promptLength: 5, newTokens: 12 };
    const measured = await measureTraffic({ ...shape, rollouts: 11 });
    expect(await extrapolateTraffic({ ...shape, rollouts: 11 }, [3, 5])).toEqual(measured);
    // prefill + 11 decode calls, 1 reference scoring call, 1 GRPO step: weights in on each, gradients out once.
    const weightBytes = 4 * paramShapes(shape.model).reduce((n, [, d]) => n + d.reduce((a, b) => a * b, 1), 0);
    expect(measured.total.calls).toBe(1 + (shape.newTokens - 1) + 1 + 1);
    expect(measured.total.weightsIn).toBe(measured.total.calls * weightBytes);
    expect(measured.total.gradsOut).toBe(weightBytes);
    expect(measured.byGraph.decode!.kvCacheIn).toBeGreaterThan(0);
  });
});
