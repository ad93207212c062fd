import { createTRPCRouter, publicProcedure } from "../trpc";
import { compareRunsInput, compareSeriesInput, getCompareRuns, getCompareSeries } from "../../services/compare";

export const compareRouter = createTRPCRouter({
  runs: publicProcedure.input(compareRunsInput).query(({ ctx, input }) => getCompareRuns(ctx.prisma, input)),
  series: publicProcedure.input(compareSeriesInput).query(({ ctx, input }) => getCompareSeries(ctx.prisma, input)),
});
