// The procedure every change goes through (launch, cancel, re-queue, API tokens). Routers only swap
// `publicProcedure` for `protectedProcedure`; the context stays the same.
//   - Mutations must come from this site's own pages (Origin / Sec-Fetch-Site, see isSameOrigin),
//     with or without a password: a page on another site must never launch runs on an open
//     localhost dashboard either.
//   - When URLVR_ADMIN_PASSWORD is set, the request must carry a valid session cookie.
import "server-only";
import { AppError } from "../errors";
import { authConfig, isAuthenticated, isSameOrigin } from "../auth/session";
import { publicProcedure } from "./trpc";

export const protectedProcedure = publicProcedure.use(({ ctx, type, next }) => {
  if (type === "mutation" && !isSameOrigin(ctx.headers)) {
    throw new AppError("FORBIDDEN", "Changes are accepted only from this dashboard's own pages (cross-origin request refused)");
  }
  if (!isAuthenticated(ctx.headers, authConfig())) {
    throw new AppError("UNAUTHENTICATED", "Log in to make changes (an admin password is configured)");
  }
  return next();
});
