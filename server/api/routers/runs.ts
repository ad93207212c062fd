import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { protectedProcedure } from "../protected";
import { listRunsInputSchema, runIdsInputSchema } from "../../schemas/runs";
import { cancelRuns, deleteRuns, getRun, listRuns, requeueRuns, restoreRuns, runEventsTail, runFilterOptions } from "../../services/runs";
import { getMetricSeries, metricSeriesInputSchema } from "../../services/metric-series";
import { runWait } from "../../services/timing";

const runIdInput = z.object({ id: z.uuid() });

export const runsRouter = createTRPCRouter({
  list: publicProcedure.input(listRunsInputSchema).query(({ ctx, input }) => listRuns(ctx.prisma, input)),
  filterOptions: publicProcedure.input(z.object({}).optional()).query(({ ctx }) => runFilterOptions(ctx.prisma)),
  get: publicProcedure.input(runIdInput).query(({ ctx, input }) => getRun(ctx.prisma, input.id)),
  /** Time left of a running run, or the place and expected start of a queued one. */
  wait: publicProcedure.input(runIdInput).query(({ ctx, input }) => runWait(ctx.prisma, input.id)),
  events: publicProcedure
    .input(z.object({ id: z.uuid(), limit: z.number().int().min(1).max(1000).default(200) }))
    .query(({ ctx, input }) => runEventsTail(ctx.prisma, input.id, input.limit)),
  /** Downsampled series (<= maxPoints per run and key); narrower [minStep, maxStep] when zoomed. */
  series: publicProcedure.input(metricSeriesInputSchema).query(({ ctx, input }) => getMetricSeries(ctx.prisma, input)),
  cancel: protectedProcedure.input(runIdsInputSchema).mutation(({ ctx, input }) => cancelRuns(ctx.prisma, input.ids)),
  requeue: protectedProcedure.input(runIdsInputSchema).mutation(({ ctx, input }) => requeueRuns(ctx.prisma, input.ids)),
  /** Hides runs everywhere (restorable); queued ones are canceled and running ones stopped first. */
  delete: protectedProcedure.input(runIdsInputSchema).mutation(({ ctx, input }) => deleteRuns(ctx.prisma, input.ids)),
  restore: protectedProcedure.input(runIdsInputSchema).mutation(({ ctx, input }) => restoreRuns(ctx.prisma, input.ids)),
});
