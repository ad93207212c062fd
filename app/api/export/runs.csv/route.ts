// GET /api/export/runs.csv?status=&baseModel=&method=&experiment=&tag= : the runs table as filtered.
import { z } from "zod";
import { getDashboardPool } from "@/server/services/dashboard-pool";
import { RUNS_CSV_HEADER, csvResponse, csvStream, runRowBatches, runsExportInput } from "@/server/services/csv";

export const dynamic = "force-dynamic";

export function GET(req: Request): Response {
  const parsed = runsExportInput.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return Response.json({ error: z.flattenError(parsed.error) }, { status: 400 });
  const stamp = new Date().toISOString().slice(0, 10);
  return csvResponse(`urlvr-runs-${stamp}.csv`, csvStream(RUNS_CSV_HEADER, runRowBatches(getDashboardPool(), parsed.data)));
}
