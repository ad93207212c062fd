import { describe, expect, it } from "vitest";
import { Graph } from "./graph";
import { createSession, ortSessionOptions, toOrt } from "./session";

describe("session helpers", () => {
  it("cpu is the default device and webgpu plumbs through to executionProviders", () => {
    expect(ortSessionOptions().executionProviders).toEqual(["cpu"]);
    expect(ortSessionOptions({ device: "webgpu", threads: 2 })).toMatchObject({ executionProviders: ["webgpu"], intraOpNumThreads: 2 });
    expect(ortSessionOptions({ spinning: true }).extra).toBeUndefined();
  });
  it("a built model with symbolic dims runs in float32 and float64", async () => {
    for (const dt of ["float32", "float64"] as const) {
      const g = new Graph(dt);
      const a = g.input("a", dt, ["B", 3]);
      g.output(g.reduceSum(g.mul(g.tanh(a), 2), [1], false), "y");
      const s = await createSession(g.toModelBytes());
      const out = await s.run({ a: toOrt(dt, [0, 1, 2, -1, -2, 0.5], [2, 3]) });
      const y = out.y.data as Float32Array;
      expect(y[0]).toBeCloseTo(2 * (Math.tanh(1) + Math.tanh(2)), 5);
      expect(y[1]).toBeCloseTo(2 * (Math.tanh(-1) + Math.tanh(-2) + Math.tanh(0.5)), 5);
      await s.release();
    }
  });
});

describe("createSession on webgpu without a GPU", () => {
  it("fails with one line that points at the device diagnostic", async () => {
    const g = new Graph("float32");
    g.output(g.tanh(g.input("a", "float32", [2])), "y");
    const made = createSession(g.toModelBytes(), { device: "webgpu" });
    // A machine with a working GPU creates the session; this project's machines have none.
    const r = await made.then((s) => s.release().then(() => null), (e: unknown) => e as Error);
    if (r === null) return;
    expect(r.message).toMatch(/^webgpu: Failed to get a WebGPU adapter: .+ \(`npm run device -- --device webgpu` tells why\)$/);
  });
});
