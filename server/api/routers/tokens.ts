import { notFound } from "../../errors";
import { z } from "zod";
import { createTRPCRouter } from "../trpc";
import { protectedProcedure } from "../protected";
import { createToken, listTokens, revokeToken } from "../../auth/tokens";
import { getDashboardPool } from "../../db/clients";

// API tokens for runners and outside trainers. The secret is returned once, by create, and never
// again: only its hash is stored (server/auth/tokens.ts).
export const tokensRouter = createTRPCRouter({
  list: protectedProcedure.query(() => listTokens(getDashboardPool())),
  create: protectedProcedure
    .input(z.object({ name: z.string().trim().min(1, "Give the token a name").max(200, "At most 200 characters") }))
    .mutation(({ input }) => createToken(getDashboardPool(), input.name)),
  revoke: protectedProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ input }) => {
    const revoked = await revokeToken(getDashboardPool(), input.id);
    if (!revoked) throw notFound("No such active token");
    return { revoked };
  }),
});
