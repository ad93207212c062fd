// GET /api/export/leaderboard.csv?protocol=KEY : the leaderboard of one training protocol as shown
// on /leaderboard (the default protocol without the parameter), intervals and predictors included.
import { getPrisma } from "@/server/db/clients";
import { leaderboardQuerySchema } from "@/server/schemas/leaderboard";
import { LEADERBOARD_CSV_HEADER, leaderboardRows, toCsv } from "@/server/services/csv";
import { csvDocument, parseExportQuery } from "@/server/services/csv-route";
import { getLeaderboard } from "@/server/services/leaderboard";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const query = parseExportQuery(request, leaderboardQuerySchema);
  if ("response" in query) return query.response;
  return csvDocument("export leaderboard.csv", "urlvr-leaderboard.csv", async () =>
    toCsv(leaderboardRows(await getLeaderboard(getPrisma(), query.data.protocol)), LEADERBOARD_CSV_HEADER),
  );
}
