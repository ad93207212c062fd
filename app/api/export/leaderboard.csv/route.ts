// GET /api/export/leaderboard.csv : the leaderboard as shown on /leaderboard.
import { getPrisma } from "@/server/db/prisma";
import { LEADERBOARD_CSV_HEADER, csvResponse, leaderboardRows, toCsv } from "@/server/services/csv";
import { getLeaderboard } from "@/server/services/leaderboard";

export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const board = await getLeaderboard(getPrisma());
  return csvResponse("urlvr-leaderboard.csv", toCsv(leaderboardRows(board), LEADERBOARD_CSV_HEADER));
}
