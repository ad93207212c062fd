// The one error path (server/errors.ts) and the storable-text rule (server/schemas/storable-text.ts),
// as pure functions: what a client may see, and what one log line says.
import { afterEach, describe, expect, it, vi } from "vitest";
import { AppError, DATABASE_UNREACHABLE, errorSummary, invalidInput, pageData, toClientError } from "./errors";
import { findUnstorableText, unstorableTextProblem } from "./schemas/storable-text";

afterEach(() => {
  vi.restoreAllMocks();
});

/** console.error's lines while `work` runs (the log is what an operator reads during an outage). */
function logLines(work: () => void): string[] {
  const lines: string[] = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(" ")));
  work();
  return lines;
}

describe("toClientError", () => {
  it("passes a domain error through unchanged and logs nothing", () => {
    const err = invalidInput({ name: ["must not be empty"], seeds: ["too many", "negative"] });
    let out: AppError | undefined;
    expect(logLines(() => (out = toClientError(err, "test")))).toEqual([]);
    expect(out).toBe(err);
    expect(out!.message).toBe("name: must not be empty; seeds: too many; negative");
    expect(out!.fieldErrors).toEqual({ name: ["must not be empty"], seeds: ["too many", "negative"] });
  });

  it("says the database is unreachable for node's, Prisma's and the pg adapter's outage errors, without logging", () => {
    const outages: unknown[] = [
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("\nInvalid `prisma.run.count()` invocation:\n\nCan't reach database server at 127.0.0.1:5432"), {
        name: "PrismaClientKnownRequestError",
        code: "P1001",
      }),
      Object.assign(new Error("x"), { code: "P2010", meta: { driverAdapterError: { cause: { kind: "DatabaseNotReachable" } } } }),
      new Error("Connection terminated unexpectedly"),
      Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
    ];
    for (const thrown of outages) {
      let out: AppError | undefined;
      expect(logLines(() => (out = toClientError(thrown, "test")))).toEqual([]);
      expect(out).toMatchObject({ code: "UNAVAILABLE", message: DATABASE_UNREACHABLE });
    }
  });

  it("hides any other error behind a request id, and logs exactly one line with that id and the cause", () => {
    const thrown = Object.assign(new Error("\nInvalid `prisma.run.findMany()` invocation in\n/app/x.ts:3:19\n\n→ 3 await ...\nColumn \"secret\" does not exist"), {
      name: "PrismaClientKnownRequestError",
    });
    let out: (AppError & { requestId?: string }) | undefined;
    const lines = logLines(() => (out = toClientError(thrown, "trpc runs.list")));
    expect(out!.code).toBe("INTERNAL");
    expect(out!.requestId).toMatch(/^[0-9a-f]{8}$/);
    expect(out!.message).toBe(`Internal error (request ${out!.requestId}); the server log has the details`);
    expect(out!.message).not.toContain("secret");
    expect(lines).toEqual([`[error] trpc runs.list request ${out!.requestId}: PrismaClientKnownRequestError: Column "secret" does not exist`]);
    expect(lines[0]).not.toContain("\n");
  });

  it("turns thrown non-errors into errors too", () => {
    const lines = logLines(() => expect(toClientError("boom", "x").code).toBe("INTERNAL"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/: Error: boom$/);
  });
});

describe("errorSummary", () => {
  it("takes the first line of an ordinary error and the last of Prisma's", () => {
    expect(errorSummary(new Error("first\nsecond"))).toBe("first");
    expect(errorSummary(Object.assign(new Error("\n\nInvalid call\n\n  Can't reach database server at h:1  \n"), { name: "PrismaClientInitializationError" }))).toBe(
      "Can't reach database server at h:1",
    );
    expect(errorSummary(Object.assign(new Error("\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `N/A`. Message: `Can't reach database server at h:1`"), { name: "PrismaClientKnownRequestError" }))).toBe(
      "Can't reach database server at h:1",
    );
    expect(errorSummary(new Error(""))).toBe("(no message)");
  });
});

describe("pageData", () => {
  it("rethrows a page's failure as the client error, with a one-line stack for Next's log", async () => {
    const failing = pageData("/runs", () => Promise.reject(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })));
    const err = (await failing.catch((e: unknown) => e)) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe("UNAVAILABLE");
    expect(err.stack).toBe(`AppError [UNAVAILABLE]: ${DATABASE_UNREACHABLE}`);
    await expect(pageData("/runs", async () => 7)).resolves.toBe(7);
  });
});

describe("storable text", () => {
  it("refuses NUL and unpaired surrogates, and accepts every other string", () => {
    expect(unstorableTextProblem("a\u0000b")).toMatch(/NUL/);
    expect(unstorableTextProblem("a\uD800b")).toMatch(/unpaired surrogate/);
    expect(unstorableTextProblem("\uDC00")).toMatch(/unpaired surrogate/);
    expect(unstorableTextProblem("trailing high \uD83D")).toMatch(/unpaired surrogate/);
    for (const ok of ["", "plain", "emoji 😀 pair", "损失/λ", "tab\tand\nnewline", "\uFFFD"]) expect(unstorableTextProblem(ok), ok).toBeNull();
  });

  it("finds the first bad string anywhere in an input and names its field and path", () => {
    expect(findUnstorableText({ name: "ok", tags: ["fine", "bad\u0000"] })).toEqual({ field: "tags", path: "tags.1", problem: expect.stringMatching(/NUL/) });
    expect(findUnstorableText({ hyper: { nested: [{ x: "\uD800" }] } })).toMatchObject({ field: "hyper", path: "hyper.nested.0.x" });
    expect(findUnstorableText({ ["k\u0000"]: 1 })).toMatchObject({ field: "input", problem: expect.stringMatching(/^has a key that must not contain NUL/) });
    expect(findUnstorableText("\u0000")).toMatchObject({ field: "input", path: "input" });
    expect(findUnstorableText({ a: 1, b: null, c: [true, 2.5], d: new Date(0), e: "😀" })).toBeNull();
    expect(findUnstorableText(undefined)).toBeNull();
  });
});
