import { createTRPCRouter, publicProcedure } from "../trpc";
import { listBaseModels } from "../../services/models";

export const modelsRouter = createTRPCRouter({
  list: publicProcedure.query(({ ctx }) => listBaseModels(ctx.prisma)),
});
