import { createTRPCRouter, publicProcedure } from "../trpc";
import { getHealth } from "../../services/health";

export const healthRouter = createTRPCRouter({
  status: publicProcedure.query(({ ctx }) => getHealth(ctx.prisma)),
});
