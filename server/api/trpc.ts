// tRPC setup, in the create-t3-app order: 1. context, 2. initialisation (error formatting),
// 3. the procedures routers build on.
import "server-only";
import { initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { getPrisma } from "../db/prisma";

// 1. Context: what every procedure can reach.
export async function createTRPCContext(opts: { headers: Headers }) {
  return { prisma: getPrisma(), headers: opts.headers };
}
export type TRPCContext = Awaited<ReturnType<typeof createTRPCContext>>;

// 2. Initialisation. Validation problems travel as data (field path -> message) so forms can show
// them next to their fields.
const t = initTRPC.context<TRPCContext>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        fieldErrors: error.cause instanceof ZodError ? z.flattenError(error.cause).fieldErrors : null,
      },
    };
  },
});

// 3. Procedures and routers.
export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;
