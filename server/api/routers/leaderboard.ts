import { createTRPCRouter, publicProcedure } from "../trpc";
import { leaderboardQuerySchema } from "../../schemas/leaderboard";
import { getLeaderboard } from "../../services/leaderboard";

export const leaderboardRouter = createTRPCRouter({
  get: publicProcedure.input(leaderboardQuerySchema.optional()).query(({ ctx, input }) => getLeaderboard(ctx.prisma, input?.protocol)),
});
