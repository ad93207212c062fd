// GET /api/export/runs.csv?status=&baseModel=&method=&experiment=&tag= : the runs table as filtered.
import { getDashboardPool } from "@/server/db/clients";
import { RUNS_CSV_HEADER, runRowBatches, runsExportInput } from "@/server/services/csv";
import { csvDownload, parseExportQuery } from "@/server/services/csv-route";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  const query = parseExportQuery(req, runsExportInput);
  if ("response" in query) return query.response;
  const stamp = new Date().toISOString().slice(0, 10);
  return csvDownload("export runs.csv", `urlvr-runs-${stamp}.csv`, RUNS_CSV_HEADER, runRowBatches(getDashboardPool(), query.data));
}
