// `npm run device -- [--device webgpu]`: the device diagnostic. Prints onnxruntime's backends,
// whether the engine's graphs (KV-cache sampler, scorer, GRPO step) can be created and run on the
// device, and which of their nodes onnxruntime leaves on the CPU. With --parity it then runs the
// parity check (runner/engine/device/parity.ts): the fixed small run on the CPU against the
// committed reference and, for a GPU device, the same run on the device against the CPU.
// Exit codes: 0 all good, 1 the device or the parity check failed, 2 bad flags.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { backendsLine, diagnoseDevice, DIAGNOSTIC_MODEL, formatReport, runGraphsHere } from "../device/diagnose";
import { extrapolateTraffic, formatTraffic, GPU_SIZED } from "../device/transfers";
import { formatKernels, measureKernels } from "../device/kernels";
import { checkParity, formatParity, recordReference, REFERENCE_FILE } from "../device/parity";
import { DEVICES } from "../train/config";
import { parseCommandLine, runCommand } from "./args";

const USAGE = `usage: npm run device -- [--device cpu|webgpu] [--parity] [--record-parity] [--traffic] [--kernels [--rows N]]

  --device D        cpu (default) or webgpu
  --parity          also run the parity check: the fixed small run on the CPU against the committed
                    reference (${REFERENCE_FILE}), and on D against the CPU
  --record-parity   re-record that reference on the CPU (after a deliberate change to the engine)
  --traffic         print the bytes one URLVR iteration of the GPU-sized model (width ${GPU_SIZED.model.width},
                    depth ${GPU_SIZED.model.depth}, ${GPU_SIZED.rollouts} rollouts) copies between host and device
  --kernels         time the GRPO update's matrix products (GFLOP/s) and one session run's fixed cost on D
  --rows N          rows of those products (default: the GPU-sized iteration's ${GPU_SIZED.rollouts} x 42)
  --json FILE       also write the results as JSON`;

const deviceFlagsSchema = z
  .object({
    device: z.enum(DEVICES).default("cpu"),
    parity: z.boolean().default(false),
    recordParity: z.boolean().default(false),
    traffic: z.boolean().default(false),
    kernels: z.boolean().default(false),
    rows: z.number().int().positive().optional(),
    json: z.string().optional(),
    /** The diagnostic's own child process (diagnose.ts), not for people. */
    child: z.boolean().default(false),
  })
  .strict();

async function main(argv: string[]): Promise<number> {
  const { values: a, help } = parseCommandLine(argv, deviceFlagsSchema);
  if (help) {
    console.log(USAGE);
    return 0;
  }
  if (a.child) {
    await runGraphsHere(a.device);
    return 0;
  }
  if (a.traffic) {
    for (const kvCache of ["host", "device"] as const) {
      const shape = { ...GPU_SIZED, kvCache };
      for (const line of formatTraffic(shape, await extrapolateTraffic(shape))) console.log(line);
    }
    return 0;
  }
  if (a.kernels) {
    for (const line of formatKernels(await measureKernels(a.device, a.rows))) console.log(line);
    return 0;
  }
  if (a.recordParity) {
    const file = await recordReference();
    console.log(`parity reference recorded on the CPU: ${file}`);
    return 0;
  }
  console.log(backendsLine());
  // The child is this same file run by the same node with the same loader flags (tsx's).
  const report = await diagnoseDevice(a.device, {
    file: process.execPath,
    args: [...process.execArgv, fileURLToPath(import.meta.url), "--child", "--device", a.device],
  });
  const m = DIAGNOSTIC_MODEL;
  console.log(`device ${a.device}: the engine's graphs for a width ${m.width}, depth ${m.depth} model, created and run once:`);
  for (const line of formatReport(report)) console.log(line);
  let ok = report.ok;
  let parity;
  if (a.parity && ok) {
    parity = await checkParity(a.device);
    for (const line of formatParity(parity)) console.log(line);
    ok = parity.ok;
  }
  if (a.json) writeFileSync(a.json, `${JSON.stringify({ report, parity }, null, 2)}\n`);
  return ok ? 0 : 1;
}

runCommand(() => main(process.argv.slice(2)), { prefix: "device:" });
