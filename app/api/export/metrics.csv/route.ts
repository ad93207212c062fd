// GET /api/export/metrics.csv?runs=id1,id2[&key=metric] : full, unsampled metric history in long format.
import { z } from "zod";
import { getDashboardPool } from "@/server/services/dashboard-pool";
import { METRIC_CSV_HEADER, csvResponse, csvStream, metricExportInput, metricRowBatches } from "@/server/services/csv";

export const dynamic = "force-dynamic";

export function GET(req: Request): Response {
  const parsed = metricExportInput.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return Response.json({ error: z.flattenError(parsed.error) }, { status: 400 });
  const { runs, key } = parsed.data;
  const name = runs.length === 1 ? `urlvr-metrics-${runs[0]}.csv` : `urlvr-metrics-${runs.length}-runs.csv`;
  return csvResponse(name, csvStream(METRIC_CSV_HEADER, metricRowBatches(getDashboardPool(), runs, { key })));
}
