// tRPC setup, in the create-t3-app order: 1. context, 2. initialisation (error formatting),
// 3. the procedures routers build on.
import "server-only";
import { initTRPC, TRPCError, type TRPC_ERROR_CODE_KEY } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { getPrisma } from "../db/clients";
import { AppError, toClientError, unstorableInput, type ErrorCode } from "../errors";

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
    const cause = error.cause;
    return {
      ...shape,
      data: {
        ...shape.data,
        fieldErrors: cause instanceof ZodError ? z.flattenError(cause).fieldErrors : cause instanceof AppError ? cause.fieldErrors : null,
      },
    };
  },
});

const TRPC_CODE: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID_INPUT: "BAD_REQUEST",
  NOT_FOUND: "NOT_FOUND",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  CONFLICT: "CONFLICT",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

function fromAppError(err: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[err.code], message: err.message, cause: err });
}

/** tRPC's input-validation error carries zod's issue array as JSON; say it in words instead. */
function describeZodError(err: ZodError): string {
  return `Invalid input: ${err.issues.map((i) => `${i.path.length > 0 ? i.path.join(".") : "input"}: ${i.message}`).join("; ")}`;
}

// Every procedure's one error path (server/errors.ts): unstorable text is refused before the input
// parser runs; after it, any error a procedure throws reaches the client as its domain message,
// "database unreachable" (503) or a generic message with a request id.
const errorPath = t.middleware(async ({ path, getRawInput, next }) => {
  const unstorable = unstorableInput(await getRawInput());
  if (unstorable) throw fromAppError(unstorable);
  const result = await next();
  if (result.ok) return result;
  const { error } = result;
  if (error.cause instanceof ZodError) {
    return { ...result, error: new TRPCError({ code: "BAD_REQUEST", message: describeZodError(error.cause), cause: error.cause }) };
  }
  // TRPCErrors thrown on purpose (authentication, not found) keep their code and message.
  if (error.code !== "INTERNAL_SERVER_ERROR") return result;
  return { ...result, error: fromAppError(toClientError(error.cause ?? error, `trpc ${path}`)) };
});

// 3. Procedures and routers.
export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(errorPath);
