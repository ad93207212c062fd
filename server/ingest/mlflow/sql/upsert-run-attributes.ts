import type { Sql } from "../../../db/sql";

// Params and tags of a request in one unnest() statement; the last write of a key wins (params are
// checked for changes before, by the caller). Each key must appear once: one INSERT cannot touch the
// same row twice.
const UPSERT_RUN_ATTRIBUTES = `
INSERT INTO "RunAttribute" ("runId", "kind", "key", "value")
SELECT $1::uuid, $2, k, v FROM unnest($3::text[], $4::text[]) AS t(k, v)
ON CONFLICT ("runId", "kind", "key") DO UPDATE SET "value" = EXCLUDED."value"`;

export interface RunAttributeInput {
  key: string;
  value: string;
}

export async function upsertRunAttributes(sql: Sql, runId: string, kind: "param" | "tag", items: readonly RunAttributeInput[]): Promise<void> {
  await sql(UPSERT_RUN_ATTRIBUTES, [runId, kind, items.map((i) => i.key), items.map((i) => i.value)]);
}
