/**
 * Inputs of the runs table (filters, sort, page) as they arrive from the URL's searchParams or from
 * tRPC. Unknown or malformed values fall back to their defaults, so a hand-edited URL never breaks
 * the page. Pure: safe in the browser bundle.
 */
import { z } from "zod";
import { unstorableTextProblem } from "./storable-text";
import { REWARD_METHOD_NAMES } from "@/runner/engine/rewards/registry";

export const RUN_STATUSES = ["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELED", "CRASHED"] as const;
export type RunStatusName = (typeof RUN_STATUSES)[number];
/** Statuses a run can be re-queued from. */
export const FINISHED_STATUSES: readonly RunStatusName[] = ["SUCCEEDED", "FAILED", "CANCELED", "CRASHED"];
export const ACTIVE_STATUSES: readonly RunStatusName[] = ["QUEUED", "RUNNING"];

/** Which runs the table lists: the active ones (the default) or the deleted ones, to restore them. */
export const RUN_VIEWS = ["active", "deleted"] as const;
export type RunView = (typeof RUN_VIEWS)[number];

export const RUN_SORTS = ["created", "status", "model", "reward", "progress", "mcs", "datasetSize", "seed"] as const;
export type RunSort = (typeof RUN_SORTS)[number];

/** An optional URL parameter: "" and malformed values (text Postgres cannot store among them) mean "not given". */
function param<T extends z.ZodType>(schema: T) {
  const given = (v: unknown) => v !== "" && !Array.isArray(v) && !(typeof v === "string" && unstorableTextProblem(v));
  return z.preprocess((v) => (given(v) ? v : undefined), schema.optional()).catch(undefined);
}

export const listRunsInputSchema = z.object({
  status: param(z.enum(RUN_STATUSES)),
  model: param(z.string().max(200)),
  reward: param(z.enum(REWARD_METHOD_NAMES)),
  experiment: param(z.uuid()),
  tag: param(z.string().max(40)),
  view: z.enum(RUN_VIEWS).catch("active").default("active"),
  sort: z.enum(RUN_SORTS).catch("created").default("created"),
  dir: z.enum(["asc", "desc"]).catch("desc").default("desc"),
  page: z.coerce.number().int().min(1).catch(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).catch(25).default(25),
});

export type ListRunsInput = z.input<typeof listRunsInputSchema>;
export type ListRunsQuery = z.output<typeof listRunsInputSchema>;

export const runIdsInputSchema = z.object({ ids: z.array(z.uuid()).min(1, "Select at least one run").max(500) });
