// Hand-made base models and runs in a TestDatabase (real Postgres). addBaseModel/addRun make the
// finished runs with results that the dashboard's pages rank and chart; insertBaseModel/insertRun make
// the queued runs that the runner claims and trains (different defaults, so two pairs).
import type pg from "pg";

export async function addBaseModel(pool: pg.Pool, name: string, staticEval: unknown = null): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "BaseModel" ("name", "family", "paramCount", "architecture", "staticEval")
     VALUES ($1, 'test', 1000, '{"width":8,"depth":1,"heads":1,"context":16,"vocabSize":54}', $2) RETURNING "id"`,
    [name, staticEval === null ? null : JSON.stringify(staticEval)],
  );
  return rows[0]!.id;
}

export interface RunSpec {
  baseModelId: string;
  rewardMethod: string;
  seed?: number;
  status?: string;
  mcsStep?: number | null;
  mcsCensored?: boolean | null;
  totalSteps?: number;
  createdAt?: Date;
  /** The run's config (its training protocol); default: one that holds only the collapse threshold. */
  config?: Record<string, unknown>;
}

export async function addRun(pool: pg.Pool, s: RunSpec): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "Run" ("baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "status", "totalSteps",
                        "mcsStep", "mcsCensored", "createdAt")
     VALUES ($1, $2, 'arith', 256, $3, $9, $4::"RunStatus", $5, $6, $7, $8) RETURNING "id"`,
    [s.baseModelId, s.rewardMethod, s.seed ?? 0, s.status ?? "SUCCEEDED", s.totalSteps ?? 100, s.mcsStep ?? null, s.mcsCensored ?? null, s.createdAt ?? new Date(),
      JSON.stringify(s.config ?? { collapseThreshold: 0.01 })],
  );
  return rows[0]!.id;
}

/** `artifactPath`: the model's folder, which a runner trains an engine run's base model from. */
export async function insertBaseModel(pool: pg.Pool, name = "tiny", external = false, artifactPath: string | null = null): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "BaseModel" ("name", "family", "paramCount", "architecture", "external", "artifactPath")
     VALUES ($1, 'test', 1000, '{}'::jsonb, $2, $3) RETURNING "id"`,
    [name, external, artifactPath],
  );
  return rows[0]!.id;
}

export interface InsertRunOptions {
  baseModelId: string;
  config?: Record<string, unknown>;
  seed?: number;
  totalSteps?: number;
  maxAttempts?: number;
}

export async function insertRun(pool: pg.Pool, o: InsertRunOptions): Promise<string> {
  const config = { steps: o.totalSteps ?? 10, seed: o.seed ?? 1, ...o.config };
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO "Run" ("baseModelId", "rewardMethod", "task", "datasetSize", "seed", "config", "totalSteps", "maxAttempts")
     VALUES ($1, 'majority_vote', 'arith', 32, $2, $3::jsonb, $4, $5) RETURNING "id"`,
    [o.baseModelId, o.seed ?? 1, JSON.stringify(config), config.steps, o.maxAttempts ?? 3],
  );
  return rows[0]!.id;
}
