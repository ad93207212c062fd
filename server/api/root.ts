import { createCallerFactory, createTRPCRouter } from "./trpc";
import { healthRouter } from "./routers/health";
import { modelsRouter } from "./routers/models";
import { runsRouter } from "./routers/runs";
import { launchRouter } from "./routers/launch";
import { leaderboardRouter } from "./routers/leaderboard";
import { authRouter } from "./routers/auth";
import { tokensRouter } from "./routers/tokens";
import { compareRouter } from "./routers/compare";

export const appRouter = createTRPCRouter({
  health: healthRouter,
  models: modelsRouter,
  runs: runsRouter,
  launch: launchRouter,
  leaderboard: leaderboardRouter,
  auth: authRouter,
  tokens: tokensRouter,
  compare: compareRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
