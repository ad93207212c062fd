import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createTRPCRouter, publicProcedure } from "../trpc";
import { protectedProcedure } from "../protected";
import { launchEstimateInputSchema, launchInputSchema } from "../../schemas/launch";
import { estimateLaunch } from "../../services/timing";
import { LaunchInputError, launchGrid } from "../../services/launch";

export const launchRouter = createTRPCRouter({
  /** How long a grid would take after what is queued now, from the measured pace of finished runs. */
  estimate: publicProcedure.input(launchEstimateInputSchema).query(({ ctx, input }) => estimateLaunch(ctx.prisma, input)),
  /** One Experiment with a QUEUED run per grid cell; field errors come back as `data.fieldErrors`. */
  create: protectedProcedure.input(launchInputSchema).mutation(async ({ ctx, input }) => {
    try {
      return await launchGrid(ctx.prisma, input);
    } catch (err) {
      if (err instanceof LaunchInputError) {
        // A ZodError cause puts the messages into data.fieldErrors (see the formatter in trpc.ts).
        // (Built by a failing parse: zod 4's `new ZodError()` is not an Error instance, so tRPC would wrap it.)
        const cause = z
          .unknown()
          .superRefine((_, ctx) => err.issues.forEach((i) => ctx.addIssue({ code: "custom", path: i.path, message: i.message })))
          .safeParse(null).error;
        throw new TRPCError({ code: "BAD_REQUEST", message: err.message, cause });
      }
      throw err;
    }
  }),
});
