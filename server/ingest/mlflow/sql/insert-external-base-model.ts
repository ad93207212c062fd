import type { Sql } from "../../../db/sql";

// A run of an outside trainer names its base model by a param or tag; an unknown name is registered
// as an external model. DO NOTHING, not DO UPDATE: a known model keeps its description.
const INSERT_EXTERNAL_BASE_MODEL = `
INSERT INTO "BaseModel" ("name", "family", "description", "paramCount", "architecture", "external")
VALUES ($1, 'external', 'Registered by the MLflow ingestion API for runs of an outside trainer.', 0, '{}'::jsonb, true)
ON CONFLICT ("name") DO NOTHING`;

export async function insertExternalBaseModel(sql: Sql, name: string): Promise<void> {
  await sql(INSERT_EXTERNAL_BASE_MODEL, [name]);
}
