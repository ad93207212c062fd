import { createTRPCRouter, publicProcedure } from "../trpc";
import { authConfig, isAuthenticated } from "../../auth/session";

export const authRouter = createTRPCRouter({
  /** Whether a login is needed for changes, and whether this request has one. */
  status: publicProcedure.query(({ ctx }) => {
    const config = authConfig();
    return { required: config.required, authenticated: isAuthenticated(ctx.headers, config) };
  }),
});
