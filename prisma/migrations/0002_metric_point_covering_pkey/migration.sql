-- Covering primary key for MetricPoint: "value" and "wallTime" ride in the index leaf pages, so the
-- chart queries (server/services/metric-series.ts, compare.ts) are index-only scans: one series of
-- 5,000 steps reads ~50 contiguous index pages instead of ~5,000 heap pages scattered by concurrent
-- writers. Same columns, same name and same uniqueness as before (ON CONFLICT ("runId", "key", "step")
-- is unchanged).
-- prisma/schema.prisma is left as it is (@@id([runId, key, step])): Prisma's schema language cannot
-- express INCLUDE on a primary key.
ALTER TABLE "MetricPoint"
  DROP CONSTRAINT "MetricPoint_pkey",
  ADD CONSTRAINT "MetricPoint_pkey" PRIMARY KEY ("runId", "key", "step") INCLUDE ("value", "wallTime");
