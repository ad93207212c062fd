import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "../../testing/database";
import { createPool } from "../db/pool";
import { writeMetricBatch } from "../ingest/metrics";
import {
  METRIC_CSV_HEADER,
  RUNS_CSV_HEADER,
  csvStream,
  formatCell,
  metricExportInput,
  metricRowBatches,
  neutralizeText,
  runRowBatches,
  runsExportInput,
  toCsv,
} from "./csv";
import { addBaseModel, addRun } from "../../testing/fixtures";

/** Reads a download back with an independent RFC 4180 parser (csv-parse), keeping every cell a string. */
const parseCsv = (text: string): string[][] => parse(text, { relaxColumnCount: true }) as string[][];

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe("cell formatting", () => {
  it("neutralizes text that a spreadsheet would execute", () => {
    for (const s of ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", '=HYPERLINK("http://x")']) {
      expect(formatCell(s)).toBe(`'${s}`);
    }
    expect(formatCell("plain")).toBe("plain");
    expect(formatCell("a=b")).toBe("a=b");
    expect(neutralizeText("-0.5")).toBe("'-0.5"); // as TEXT it is neutralized...
  });

  it("writes numbers as numbers, never neutralized, and non-finite values as MLflow does", () => {
    expect(formatCell(-0.5)).toBe("-0.5"); // ...as a NUMBER it stays a number
    expect(formatCell(0.1 + 0.2)).toBe("0.30000000000000004"); // full precision round trip
    expect(formatCell(-1e-300)).toBe("-1e-300");
    expect(formatCell(Number.NaN)).toBe("NaN");
    expect(formatCell(Infinity)).toBe("Infinity");
    expect(formatCell(-Infinity)).toBe("-Infinity");
    expect(formatCell(null)).toBe("");
    expect(formatCell(true)).toBe("true");
    expect(formatCell(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe("2026-01-02T03:04:05.006Z");
  });

  it("is RFC 4180: CRLF, quoted commas, quotes and newlines, header first", () => {
    const text = toCsv([["a,b", 'say "hi"', "two\nlines", -0.5, "=evil", Number.NaN]], ["h1", "h2", "h3", "h4", "h5", "h6"]);
    expect(text).toBe('h1,h2,h3,h4,h5,h6\r\n"a,b","say ""hi""","two\nlines",-0.5,\'=evil,NaN\r\n');
    expect(parseCsv(text)).toEqual([
      ["h1", "h2", "h3", "h4", "h5", "h6"],
      ["a,b", 'say "hi"', "two\nlines", "-0.5", "'=evil", "NaN"],
    ]);
  });

  it("validates export inputs", () => {
    expect(metricExportInput.safeParse({ runs: "not-a-uuid" }).success).toBe(false);
    expect(metricExportInput.safeParse({}).success).toBe(false);
    const ok = metricExportInput.parse({ runs: " 00000000-0000-4000-8000-000000000001,00000000-0000-4000-8000-000000000001" });
    expect(ok.runs).toEqual(["00000000-0000-4000-8000-000000000001"]);
    expect(runsExportInput.safeParse({ status: "DONE" }).success).toBe(false);
    expect(runsExportInput.parse({ status: "SUCCEEDED,FAILED", model: "a", method: "b" })).toMatchObject({
      status: ["SUCCEEDED", "FAILED"],
      baseModel: ["a"],
      method: ["b"],
    });
  });
});

describe("CSV streams from Postgres", () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let modelId: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 2);
    modelId = await addBaseModel(pool, "=evil-model");
  });
  afterAll(async () => {
    await pool?.end();
    await db?.close();
  });

  it("streams a run of 20,000 points unsampled, equal to the database rows", async () => {
    const runId = await addRun(pool, { baseModelId: modelId, rewardMethod: "majority_vote", seed: 7 });
    const wall = Date.UTC(2026, 5, 1);
    const keys = ["train/reward_accuracy", "actor/entropy"];
    const points = [];
    for (const key of keys) {
      for (let step = 0; step < 10_000; step++) {
        const value = step === 5 ? Number.NaN : step === 6 ? Infinity : step === 7 ? -Infinity : Math.sin(step) - 0.5;
        points.push({ key, step, value, wallTime: wall + step * 1000 });
      }
    }
    await writeMetricBatch(pool, runId, points);
    const text = await readAll(csvStream(METRIC_CSV_HEADER, metricRowBatches(pool, [runId], { pageSize: 3_000 })));
    const rows = parseCsv(text);
    expect(rows[0]).toEqual([...METRIC_CSV_HEADER]);
    expect(rows.length).toBe(20_001);
    const { rows: dbRows } = await pool.query(
      `SELECT "key", "step", "value"::text AS value, "wallTime" FROM "MetricPoint" WHERE "runId" = $1 ORDER BY "key", "step"`,
      [runId],
    );
    expect(dbRows.length).toBe(20_000);
    dbRows.forEach((r, i) => {
      const row = rows[i + 1]!;
      expect(row.slice(0, 6)).toEqual([runId, "'=evil-model", "majority_vote", "7", r.key, String(r.step)]);
      // Postgres' own text for the double (shortest round trip, NaN/Infinity/-Infinity) parses to the same number.
      if (Number.isNaN(Number(r.value))) expect(row[6]).toBe("NaN");
      else expect(Number(row[6])).toBe(Number(r.value));
      expect(row[7]).toBe((r.wallTime as Date).toISOString());
    });
    expect(rows.filter((r) => r[6] === "NaN").length).toBe(2);
    expect(rows.some((r) => r[6]!.startsWith("'"))).toBe(false);
    // a single key only
    const one = parseCsv(await readAll(csvStream(METRIC_CSV_HEADER, metricRowBatches(pool, [runId], { key: "actor/entropy", pageSize: 4_000 }))));
    expect(one.length).toBe(10_001);
    expect(one.slice(1).every((r) => r[4] === "actor/entropy")).toBe(true);
  });

  it("exports the runs table with the /runs filters, newest first", async () => {
    const other = await addBaseModel(pool, "other");
    const t0 = Date.UTC(2026, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        await addRun(pool, {
          baseModelId: i % 2 ? other : modelId,
          rewardMethod: i < 3 ? "ground_truth" : "majority_vote",
          status: i === 4 ? "FAILED" : "SUCCEEDED",
          seed: i,
          createdAt: new Date(t0 + i * 1000),
          mcsStep: i === 3 ? 42 : null,
          mcsCensored: i === 3 ? false : null,
        }),
      );
    }
    const all = async (filter: unknown) => {
      const out: unknown[][] = [];
      for await (const b of runRowBatches(pool, runsExportInput.parse(filter), 2)) out.push(...b);
      return out;
    };
    const other2 = await all({ model: "other" });
    expect(other2.map((r) => r[0])).toEqual([ids[3], ids[1]]);
    expect(other2[0]![RUNS_CSV_HEADER.indexOf("mcs_step")]).toBe(42);
    expect((await all({ method: "ground_truth", status: "SUCCEEDED" })).map((r) => r[0])).toEqual([ids[2], ids[1], ids[0]]);
    expect((await all({ status: "FAILED" })).map((r) => r[0])).toEqual([ids[4]]);
    const text = toCsv(await all({ reward: "majority_vote" }), RUNS_CSV_HEADER);
    expect(parseCsv(text).length).toBe(1 + 3); // two here plus the 20,000-point run of the test above
  });
});
