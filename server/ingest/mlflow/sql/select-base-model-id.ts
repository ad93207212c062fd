import type { Sql } from "../../../db/sql";

// Read after insertExternalBaseModel as a statement of its own: under READ COMMITTED it sees a model
// another transaction committed meanwhile, which an INSERT's RETURNING would not return after DO NOTHING.
const SELECT_BASE_MODEL_ID = `SELECT "id"::text AS "id" FROM "BaseModel" WHERE "name" = $1`;

/** The id of the base model of that name; null when there is none. */
export async function selectBaseModelId(sql: Sql, name: string): Promise<string | null> {
  const [row] = await sql<{ id: string }>(SELECT_BASE_MODEL_ID, [name]);
  return row?.id ?? null;
}
