// Launch through the tRPC router against a real Postgres: a valid grid creates one experiment with
// its QUEUED runs; any bad field comes back as data.fieldErrors and creates nothing.
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/testing/database";
import { createPrisma, type PrismaClient } from "@/server/db/prisma";
import { appRouter, createCaller } from "@/server/api/root";
import { trainConfigSchema } from "@/runner/engine/train/config";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";

let db: TestDatabase;
let prisma: PrismaClient;
let caller: ReturnType<typeof createCaller>;
let modelA: string;
let modelB: string;
let external: string;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  caller = createCaller({ prisma, headers: new Headers() });
  const mk = (name: string, ext = false) =>
    prisma.baseModel.create({ data: { name, family: "test", paramCount: 1000n, architecture: {}, external: ext } });
  modelA = (await mk("arith-small")).id;
  modelB = (await mk("arith-tiny")).id;
  external = (await mk("qwen-outside", true)).id;
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.close();
});

const input = () => ({
  name: "2x2 grid",
  notes: "first try",
  tags: ["smoke", "mcs"],
  baseModelIds: [modelA, modelB],
  rewardMethods: ["majority_vote", "self_certainty"] as const,
  task: "arith" as const,
  datasetSizes: [64],
  seeds: [7],
  steps: 6,
  promptsPerStep: 4,
  groupSize: 4,
  valEvery: 3,
});

/** Runs a failing call and returns the formatted error shape, as the browser receives it. */
async function fieldErrorsOf(work: Promise<unknown>) {
  const err = await work.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  const e = err as TRPCError;
  const shape = appRouter._def._config.errorFormatter({
    error: e,
    type: "mutation",
    path: "launch.create",
    input: undefined,
    ctx: undefined,
    shape: { message: e.message, code: -32600, data: { code: e.code, httpStatus: getHTTPStatusCodeFromError(e), path: "launch.create" } },
  }) as { data: { fieldErrors: Record<string, string[]> | null } };
  return { code: e.code, fieldErrors: shape.data.fieldErrors ?? {} };
}

describe("launch.create", () => {
  it("creates one experiment with one QUEUED run per combination, each with the full engine config", async () => {
    const res = await caller.launch.create({ ...input(), rewardMethods: [...input().rewardMethods] });
    expect(res.runIds).toHaveLength(4);
    const exp = await prisma.experiment.findUniqueOrThrow({ where: { id: res.experimentId }, include: { runs: { include: { baseModel: true } } } });
    expect(exp).toMatchObject({ name: "2x2 grid", notes: "first try", tags: ["smoke", "mcs"] });
    expect(exp.runs).toHaveLength(4);
    const combos = exp.runs.map((r) => `${r.baseModel.name}/${r.rewardMethod}`).sort();
    expect(combos).toEqual(["arith-small/majority_vote", "arith-small/self_certainty", "arith-tiny/majority_vote", "arith-tiny/self_certainty"]);
    for (const r of exp.runs) {
      expect(r).toMatchObject({ status: "QUEUED", totalSteps: 6, datasetSize: 64, seed: 7, task: "arith" });
      const config = trainConfigSchema.parse(r.config);
      expect(config).toEqual(r.config);
      expect(config).toMatchObject({ model: r.baseModel.name, reward: r.rewardMethod, steps: 6, promptsPerStep: 4, groupSize: 4, valEvery: 3 });
      expect(config.lr).toBe(trainConfigSchema.parse({}).lr);
    }
  });

  it("returns a message per bad field and creates nothing", async () => {
    const before = await Promise.all([prisma.experiment.count(), prisma.run.count()]);
    const { code, fieldErrors } = await fieldErrorsOf(
      caller.launch.create({ ...input(), rewardMethods: [], name: "", datasetSizes: [8], seeds: [-1], temperature: -1, groupSize: 1 } as never),
    );
    expect(code).toBe("BAD_REQUEST");
    for (const k of ["name", "rewardMethods", "datasetSizes", "seeds", "temperature", "groupSize"]) {
      expect(fieldErrors[k]?.length, k).toBeGreaterThan(0);
    }
    expect(fieldErrors.datasetSizes![0]).toMatch(/32/);
    expect(await Promise.all([prisma.experiment.count(), prisma.run.count()])).toEqual(before);
  });

  it("refuses unknown and external base models by field, creating nothing", async () => {
    const before = await Promise.all([prisma.experiment.count(), prisma.run.count()]);
    const unknown = "00000000-0000-4000-8000-000000000000";
    const a = await fieldErrorsOf(caller.launch.create({ ...input(), rewardMethods: ["majority_vote"], baseModelIds: [modelA, unknown] }));
    expect(a.code).toBe("BAD_REQUEST");
    expect(a.fieldErrors.baseModelIds?.[0]).toMatch(/Unknown base model/);
    const b = await fieldErrorsOf(caller.launch.create({ ...input(), rewardMethods: ["majority_vote"], baseModelIds: [external] }));
    expect(b.fieldErrors.baseModelIds?.[0]).toMatch(/outside trainer/);
    expect(await Promise.all([prisma.experiment.count(), prisma.run.count()])).toEqual(before);
  });
});
