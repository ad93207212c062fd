import { createTRPCRouter, publicProcedure } from "../trpc";
import { getLeaderboard } from "../../services/leaderboard";

export const leaderboardRouter = createTRPCRouter({
  get: publicProcedure.query(({ ctx }) => getLeaderboard(ctx.prisma)),
});
