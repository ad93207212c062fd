// Request schemas of the MLflow tracking REST API (2.0) endpoints we serve, validated at the boundary
// with zod. Field names, types and limits follow MLflow's reference: int64 fields (timestamps, steps)
// arrive as numbers or, from protobuf's JSON mapping, as decimal strings; doubles may be the strings
// "NaN", "Infinity", "-Infinity". Unknown fields are ignored, as MLflow does, so newer clients work.
import { z } from "zod";
import { invalidParameter } from "./errors";

export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_PER_BATCH = 100;
export const MAX_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_KEY_LENGTH = 250;
export const MAX_PARAM_VALUE_LENGTH = 6000;
export const MAX_TAG_VALUE_LENGTH = 8000;
const INT32_MAX = 2 ** 31 - 1;
const MISSING = "__missing__";

/** zod error option: a missing field is reported as MLflow does, a wrong type as "must be <type>". */
export const expect = (type: string) => ({
  error: (iss: { input?: unknown }) => (iss.input === undefined ? MISSING : `must be ${type}`),
});

const key = (what: string) =>
  z
    .string(expect("a string"))
    .min(1, `${what} key must not be empty`)
    .max(MAX_KEY_LENGTH, `${what} key must be at most ${MAX_KEY_LENGTH} characters`)
    // MLflow's rule (Python's Unicode \w): letters and digits of any script, underscores, dashes,
    // periods, spaces, slashes and colons.
    .regex(/^[\p{L}\p{N}_\-. /:]+$/u, `${what} key may contain only letters, digits, underscores, dashes, periods, spaces, slashes and colons`)
    .refine((k) => !k.split("/").includes("..") && !k.startsWith("/"), `${what} key must be a relative path without ".."`);

/** A double: a JSON number, or a string MLflow's client writes for one ("NaN", "Infinity", "1.5"). */
export const doubleSchema = z.union([z.number(), z.string()], expect("a number")).transform((v, ctx) => {
  if (typeof v === "number") return v;
  const n = v === "NaN" ? Number.NaN : v === "Infinity" ? Infinity : v === "-Infinity" ? -Infinity : v.trim() === "" ? Number.NaN : Number(v);
  if (Number.isNaN(n) && v !== "NaN") {
    ctx.addIssue({ code: "custom", message: `must be a number (got "${v.slice(0, 40)}")` });
    return z.NEVER;
  }
  return n;
});

/** An int64 as MLflow sends it: a JSON integer or a decimal string; `what` names it in the message. */
export const int64 = (what?: string) =>
  z.union([z.number(), z.string()], expect("an integer")).transform((v, ctx) => {
    const n = typeof v === "number" ? v : /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    if (!Number.isSafeInteger(n)) {
      ctx.addIssue({ code: "custom", message: `${what ? `${what} ` : ""}must be an integer (got ${JSON.stringify(v)})` });
      return z.NEVER;
    }
    return n;
  });

const step = int64("step").refine((s) => s >= 0 && s <= INT32_MAX, `step must be from 0 to ${INT32_MAX}`);
const timestamp = int64("timestamp").refine((t) => t >= 0 && t < 8.64e15, "timestamp must be milliseconds since the epoch");

export const metricSchema = z.object({
  key: key("Metric"),
  value: doubleSchema,
  timestamp,
  step: step.default(0),
});

export const paramSchema = z.object({
  key: key("Param"),
  value: z.string(expect("a string")).max(MAX_PARAM_VALUE_LENGTH, `Param value must be at most ${MAX_PARAM_VALUE_LENGTH} characters`),
});

export const tagSchema = z.object({
  key: key("Tag"),
  value: z.string(expect("a string")).max(MAX_TAG_VALUE_LENGTH, `Tag value must be at most ${MAX_TAG_VALUE_LENGTH} characters`),
});

const runIdFields = {
  run_id: z.string(expect("a string")).min(1, "must not be empty").max(64, "must be at most 64 characters").optional(),
  /** Deprecated alias MLflow still accepts. */
  run_uuid: z.string(expect("a string")).min(1, "must not be empty").max(64, "must be at most 64 characters").optional(),
};

function withRunId<T extends { run_id?: string; run_uuid?: string }>(o: T, ctx: z.RefinementCtx): void {
  if (!o.run_id && !o.run_uuid) ctx.addIssue({ code: "custom", path: ["run_id"], message: MISSING });
}

export const experimentsCreateSchema = z.object({
  name: z.string(expect("a string")).trim().min(1, "Experiment name must not be empty").max(500, "Experiment name must be at most 500 characters"),
  artifact_location: z.string(expect("a string")).max(2000, "must be at most 2000 characters").optional(),
  tags: z.array(tagSchema, expect("an array of {key, value}")).max(100, "An experiment can be created with at most 100 tags").optional().default([]),
});

export const experimentsGetByNameSchema = z.object({
  experiment_name: z.string(expect("a string")).min(1, "experiment_name must not be empty").max(500, "Experiment name must be at most 500 characters"),
});

export const experimentsGetSchema = z.object({
  experiment_id: z.string(expect("a string")).min(1, "must not be empty").max(64, "must be at most 64 characters"),
});

export const runsCreateSchema = z.object({
  experiment_id: z.string(expect("a string")).min(1, "must not be empty").max(64, "must be at most 64 characters").optional(),
  user_id: z.string(expect("a string")).max(256, "must be at most 256 characters").optional(),
  run_name: z.string(expect("a string")).max(250, "must be at most 250 characters").optional(),
  start_time: timestamp.optional(),
  tags: z.array(tagSchema, expect("an array of {key, value}")).max(MAX_TAGS_PER_BATCH, `A run can be created with at most ${MAX_TAGS_PER_BATCH} tags`).optional().default([]),
});

export const RUN_STATUSES = ["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"] as const;

export const runsUpdateSchema = z
  .object({
    ...runIdFields,
    status: z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(", ")}` }).optional(),
    end_time: timestamp.optional(),
    run_name: z.string(expect("a string")).max(250, "must be at most 250 characters").optional(),
  })
  .superRefine(withRunId);

export const runsGetSchema = z.object(runIdFields).superRefine(withRunId);

/** runs/delete-tag: MLflow does not check the key's characters here, only that it names a tag. */
export const deleteTagSchema = z
  .object({ ...runIdFields, key: z.string(expect("a string")).min(1, "Tag key must not be empty").max(MAX_KEY_LENGTH, `Tag key must be at most ${MAX_KEY_LENGTH} characters`) })
  .superRefine(withRunId);

export const experimentsUpdateSchema = z.object({
  experiment_id: experimentsGetSchema.shape.experiment_id,
  new_name: z.string(expect("a string")).trim().min(1, "Experiment name must not be empty").max(500, "Experiment name must be at most 500 characters"),
});

export const logMetricSchema = z.object({ ...runIdFields, ...metricSchema.shape }).superRefine(withRunId);
export const logParamSchema = z.object({ ...runIdFields, ...paramSchema.shape }).superRefine(withRunId);
export const setTagSchema = z.object({ ...runIdFields, ...tagSchema.shape }).superRefine(withRunId);

export const logBatchSchema = z
  .object({
    ...runIdFields,
    metrics: z.array(z.unknown(), expect("an array")).optional().default([]),
    params: z.array(z.unknown(), expect("an array")).optional().default([]),
    tags: z.array(z.unknown(), expect("an array")).optional().default([]),
  })
  .superRefine(withRunId);

/** MLflow's own words for an over-limit batch, checked before the items are validated one by one. */
export function checkBatchLimits(b: { metrics: unknown[]; params: unknown[]; tags: unknown[] }): void {
  const over = (n: number, max: number, what: string) => {
    if (n > max) {
      throw invalidParameter(
        `A batch logging request can contain at most ${max} ${what}. Got ${n} ${what}. Please split up ${what} across multiple requests and try again.`,
      );
    }
  };
  over(b.metrics.length, MAX_METRICS_PER_BATCH, "metrics");
  over(b.params.length, MAX_PARAMS_PER_BATCH, "params");
  over(b.tags.length, MAX_TAGS_PER_BATCH, "tags");
  const total = b.metrics.length + b.params.length + b.tags.length;
  if (total > MAX_ENTITIES_PER_BATCH) {
    throw invalidParameter(
      `A batch logging request can contain at most ${MAX_ENTITIES_PER_BATCH} metrics, params, and tags in total. Got ${total} in total. Please split up metrics, params, and tags across multiple requests and try again.`,
    );
  }
}

/** Parses or throws INVALID_PARAMETER_VALUE with every problem named by its field path. */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidParameter(formatIssues(result.error.issues));
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): string {
  const shown = issues.slice(0, 5).map((i) => {
    const p = [...prefix, ...i.path].map((s) => (typeof s === "number" ? `[${s}]` : `.${String(s)}`)).join("").replace(/^\./, "");
    const missing = i.message === MISSING || (i.code === "invalid_type" && /received undefined/.test(i.message));
    if (missing) return `Missing value for required parameter '${p}'`;
    return p ? `Invalid value for parameter '${p}': ${i.message}` : i.message;
  });
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more problems)` : "";
  return shown.join("; ") + more;
}
