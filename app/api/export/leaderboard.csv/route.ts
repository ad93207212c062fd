// GET /api/export/leaderboard.csv?protocol=KEY : the leaderboard of one training protocol as shown
// on /leaderboard (the default protocol without the parameter), intervals and predictors included.
import { getPrisma } from "@/server/db/prisma";
import { leaderboardQuerySchema } from "@/server/schemas/leaderboard";
import { LEADERBOARD_CSV_HEADER, csvResponse, leaderboardRows, toCsv } from "@/server/services/csv";
import { getLeaderboard } from "@/server/services/leaderboard";

export const dynamic = "force-dynamic";

export async function GET(request: Request): Promise<Response> {
  const query = leaderboardQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  const board = await getLeaderboard(getPrisma(), query.success ? query.data.protocol : undefined);
  return csvResponse("urlvr-leaderboard.csv", toCsv(leaderboardRows(board), LEADERBOARD_CSV_HEADER));
}
