// One metric's full series of a run, in step order (for MCS, which needs the first crossing).
export const SELECT_METRIC_SERIES = `
SELECT "step", "value" FROM "MetricPoint" WHERE "runId" = $1::uuid AND "key" = $2 ORDER BY "step"
`;
