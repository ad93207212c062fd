import { createTRPCRouter, publicProcedure } from "../trpc";
import { protectedProcedure } from "../protected";
import { launchEstimateInputSchema, launchInputSchema } from "../../schemas/launch";
import { estimateLaunch } from "../../services/timing";
import { launchGrid } from "../../services/launch";

export const launchRouter = createTRPCRouter({
  /** How long a grid would take after what is queued now, from the measured pace of finished runs. */
  estimate: publicProcedure.input(launchEstimateInputSchema).query(({ ctx, input }) => estimateLaunch(ctx.prisma, input)),
  /** One Experiment with a QUEUED run per grid cell; field errors come back as `data.fieldErrors`. */
  create: protectedProcedure.input(launchInputSchema).mutation(({ ctx, input }) => launchGrid(ctx.prisma, input)),
});
