// Appends log lines of runs, many at once. RunEvent ids are serial, so the order of one call is kept.
export const INSERT_RUN_EVENTS = `
INSERT INTO "RunEvent" ("runId", "time", "level", "message")
SELECT run_id, to_timestamp(time_ms / 1000.0), level, message
FROM unnest($1::uuid[], $2::float8[], $3::text[], $4::text[]) WITH ORDINALITY AS t(run_id, time_ms, level, message, n)
ORDER BY n
`;
