// The shared shape of the CSV export routes (app/api/export/*): the query is validated (schema and
// storable text) before anything is read; the first page is read before the response starts, so a
// bad filter is a 400 with the field named and an unreachable database a 503, never a 200 that stops
// after its header row. A failure after the first page can only cut the download short (HTTP has no
// way to take the 200 back), and it is logged.
import "server-only";
import { z } from "zod";
import { HTTP_STATUS, invalidInput, toClientError, unstorableInput, type AppError } from "../errors";
import { csvResponse, csvStream } from "./csv";

function errorResponse(err: AppError): Response {
  return Response.json({ error: { message: err.message, fieldErrors: err.fieldErrors ?? {} } }, { status: HTTP_STATUS[err.code] });
}

/** The query parameters as `schema` reads them, or the 400 response that says why not. */
export function parseExportQuery<S extends z.ZodType>(req: Request, schema: S): { data: z.output<S> } | { response: Response } {
  const params = Object.fromEntries(new URL(req.url).searchParams);
  const unstorable = unstorableInput(params);
  if (unstorable) return { response: errorResponse(unstorable) };
  const parsed = schema.safeParse(params);
  if (!parsed.success) {
    const fieldErrors = Object.fromEntries(
      Object.entries(z.flattenError(parsed.error).fieldErrors).filter((e): e is [string, string[]] => Array.isArray(e[1])),
    );
    return { response: errorResponse(invalidInput(Object.keys(fieldErrors).length > 0 ? fieldErrors : { query: [parsed.error.issues[0]?.message ?? "invalid"] })) };
  }
  return { data: parsed.data };
}

/** A streamed CSV download whose first page has already been read. */
export async function csvDownload(route: string, filename: string, header: readonly string[], batches: AsyncIterable<unknown[][]>): Promise<Response> {
  const it = batches[Symbol.asyncIterator]();
  let first: IteratorResult<unknown[][]>;
  try {
    first = await it.next();
  } catch (thrown) {
    return errorResponse(toClientError(thrown, route));
  }
  async function* rest(): AsyncGenerator<unknown[][]> {
    if (first.done) return;
    yield first.value;
    try {
      for (let next = await it.next(); !next.done; next = await it.next()) yield next.value;
    } catch (thrown) {
      toClientError(thrown, `${route} (after the first page; the download was cut short)`);
      throw thrown;
    } finally {
      await it.return?.();
    }
  }
  return csvResponse(filename, csvStream(header, rest()));
}

/** A CSV built whole (small: the leaderboard), or the error response. */
export async function csvDocument(route: string, filename: string, build: () => Promise<string>): Promise<Response> {
  try {
    return csvResponse(filename, await build());
  } catch (thrown) {
    return errorResponse(toClientError(thrown, route));
  }
}
