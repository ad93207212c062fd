// GET /api/export/metrics.csv?runs=id1,id2[&key=metric] : full, unsampled metric history in long format.
import { getDashboardPool } from "@/server/db/clients";
import { METRIC_CSV_HEADER, metricExportInput, metricRowBatches } from "@/server/services/csv";
import { csvDownload, parseExportQuery } from "@/server/services/csv-route";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  const query = parseExportQuery(req, metricExportInput);
  if ("response" in query) return query.response;
  const { runs, key } = query.data;
  const name = runs.length === 1 ? `urlvr-metrics-${runs[0]}.csv` : `urlvr-metrics-${runs.length}-runs.csv`;
  return csvDownload("export metrics.csv", name, METRIC_CSV_HEADER, metricRowBatches(getDashboardPool(), runs, { key }));
}
