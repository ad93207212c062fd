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
/** Statuses a runner still works on: cancel applies, pages keep polling, the queue counts them. */
export const ACTIVE_STATUSES: readonly RunStatusName[] = ["QUEUED", "RUNNING"];
export const isActiveStatus = (status: string): boolean => (ACTIVE_STATUSES as readonly string[]).includes(status);

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

/**
 * Which runs a runs filter selects, in one place for both doors that filter runs: the /runs table
 * (Prisma: runsWhere in server/services/runs.ts) and the runs CSV export (SQL:
 * server/sql/select-runs-export-page.ts) both take a RunFilter and give each field the meaning written
 * here. Conditions combine with AND; a list matches any of its values; absent or empty matches all.
 *
 * The doors differ only at their boundary, never in meaning. The table (listRunsInputSchema) takes
 * one value per filter and an experiment by id only, and drops anything malformed to its default, so
 * a hand-edited URL never breaks the page (a name there could not be told from a bad value; its
 * filter bar offers experiments by id). The export (runsExportInput in server/services/csv.ts) also
 * takes comma lists, the longer names baseModel and method, and an experiment by name, and refuses
 * malformed input with 400 rather than silently exporting every run.
 */
export interface RunFilter {
  /** active: runs not deleted (deletedAt null); deleted: the deleted ones, kept until restored or purged. */
  view: RunView;
  status?: readonly RunStatusName[];
  /** Base model names. */
  baseModel?: readonly string[];
  /** Reward methods. */
  method?: readonly string[];
  /** The run's experiment, by id or by name (names need not be unique: every experiment of that name). */
  experiment?: ExperimentRef;
  /** A tag of the run's experiment; a run without an experiment has none. */
  tag?: string;
}

export type ExperimentRef = { id: string } | { name: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An experiment as filter text names it: text shaped like a UUID is its id, any other text its name. */
export const experimentRef = (text: string): ExperimentRef => (UUID.test(text) ? { id: text } : { name: text });

export const runIdsInputSchema = z.object({ ids: z.array(z.uuid()).min(1, "Select at least one run").max(500) });
