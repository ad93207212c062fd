// `npm run bench:claim`: the claim strategies the comment in runner/sql/claim-runs.ts compares,
// measured with concurrent claimers on a throwaway embedded Postgres: claims per second, empty answers
// while work was still queued (wasted round trips), and runs handed out twice (must be 0).
import pg from "pg";
import { claimRuns } from "../runner/sql/claim-runs";
import { registerRunner } from "../runner/sql/register-runner";
import { viaPg } from "../server/db/sql";
import { OWN_PG_PORTS } from "../scripts/lib/ports";
import { startOwnTestDatabase } from "../testing/database";
import { insertBaseModel } from "../testing/fixtures";

const RUNS = Number(process.env.BENCH_RUNS ?? 400);
const CLAIMERS = Number(process.env.BENCH_CLAIMERS ?? 4);

const set = `SET "status" = 'RUNNING', "runnerId" = $1, "attempts" = r."attempts" + 1,
  "leaseExpiresAt" = now() + interval '1 minute', "heartbeatAt" = now(), "startedAt" = COALESCE(r."startedAt", now())`;

type Claim = (c: pg.Client, runnerId: string) => Promise<Array<{ id: string }>>;
const claimWith = (text: string): Claim => async (c, runnerId) => (await c.query<{ id: string }>(text, [runnerId, 1, 60_000])).rows;

const STRATEGIES: Record<string, Claim> = {
  "FOR UPDATE SKIP LOCKED (chosen)": (c, runnerId) => claimRuns(viaPg(c), runnerId, 1, 60_000),
  "FOR UPDATE (blocking)": claimWith(`
    WITH c AS (SELECT "id" FROM "Run" WHERE "status" = 'QUEUED' ORDER BY "createdAt", "id" LIMIT $2 FOR UPDATE)
    UPDATE "Run" r ${set} FROM c WHERE r."id" = c."id" AND $3::int > 0 RETURNING r."id"`),
  "advisory lock (pg_try_advisory_xact_lock)": claimWith(`
    WITH c AS (SELECT "id" FROM "Run" WHERE "status" = 'QUEUED' AND pg_try_advisory_xact_lock(hashtext("id"::text))
               ORDER BY "createdAt", "id" LIMIT $2)
    UPDATE "Run" r ${set} FROM c WHERE r."id" = c."id" AND r."status" = 'QUEUED' AND $3::int > 0 RETURNING r."id"`),
};

async function main() {
  const db = await startOwnTestDatabase(Number(process.env.BENCH_PG_PORT ?? OWN_PG_PORTS.claimBench));
  try {
    const baseModelId = await insertBaseModel(db.pool, "bench");
    console.log(`\nClaim strategies: ${CLAIMERS} concurrent claimers, ${RUNS} queued runs, one run per claim\n`);
    console.log(`${"strategy".padEnd(44)} ${"claims/s".padStart(9)} ${"empty answers".padStart(14)} ${"double claims".padStart(14)}`);
    for (const [name, claim] of Object.entries(STRATEGIES)) {
      await db.pool.query(`TRUNCATE "Run", "Runner" CASCADE`);
      await db.pool.query(
        `INSERT INTO "Run" ("baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "totalSteps")
         SELECT $1, 'majority_vote', 'arith', 32, g, '{}'::jsonb, 1 FROM generate_series(1, $2) g`,
        [baseModelId, RUNS],
      );
      const clients = await Promise.all(Array.from({ length: CLAIMERS }, async (_, i) => {
        const c = new pg.Client({ connectionString: db.url });
        c.on("error", () => {}); // the server stops at the end; a query in flight reports it
        await c.connect();
        await registerRunner(viaPg(c), { id: `bench-${i}`, host: "bench", pid: i, devices: ["cpu"], slots: 1 });
        return c;
      }));
      const seen = new Map<string, number>();
      let empty = 0;
      const t0 = performance.now();
      await Promise.all(clients.map(async (c, i) => {
        for (;;) {
          const rows = await claim(c, `bench-${i}`);
          for (const r of rows) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
          if (rows.length === 0) {
            const { rows: left } = await c.query(`SELECT 1 FROM "Run" WHERE "status" = 'QUEUED' LIMIT 1`);
            if (left.length === 0) return;
            empty++;
          }
        }
      }));
      const s = (performance.now() - t0) / 1000;
      const doubles = [...seen.values()].filter((n) => n > 1).length;
      console.log(`${name.padEnd(44)} ${Math.round(seen.size / s).toString().padStart(9)} ${String(empty).padStart(14)} ${String(doubles).padStart(14)}`);
      await Promise.all(clients.map((c) => c.end()));
    }
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
