// One function per MLflow REST endpoint: validate the input, call the store, shape the response as
// MLflow's reference does. Inputs come from the JSON body (POST) or the query string (GET).
import type pg from "pg";
import { MlflowError } from "./errors";
import {
  checkBatchLimits,
  deleteTagSchema,
  experimentsUpdateSchema,
  experimentsCreateSchema,
  experimentsGetByNameSchema,
  experimentsGetSchema,
  formatIssues,
  logBatchSchema,
  logMetricSchema,
  logParamSchema,
  metricSchema,
  paramSchema,
  parseRequest,
  runsCreateSchema,
  runsGetSchema,
  runsUpdateSchema,
  setTagSchema,
  tagSchema,
} from "./schemas";
import * as experiments from "./experiments";
import * as store from "./store";
import * as read from "./read";
import { experimentsListSchema, experimentsSearchSchema, metricHistorySchema, runsSearchSchema } from "./read-schemas";
import type { z } from "zod";

export type Handler = (db: pg.Pool, input: Record<string, unknown>) => Promise<unknown>;

const runIdOf = (o: { run_id?: string; run_uuid?: string }) => (o.run_id ?? o.run_uuid)!;

/** Validates each item of a batch list, naming the failing item by its index. */
function parseItems<S extends z.ZodType>(schema: S, items: unknown[], field: string): z.output<S>[] {
  return items.map((item, i) => {
    const r = schema.safeParse(item);
    if (!r.success) throw new MlflowError("INVALID_PARAMETER_VALUE", formatIssues(r.error.issues, [field, i]));
    return r.data;
  });
}

export const handlers = {
  "experiments/get-by-name": async (db, input) => {
    const { experiment_name } = parseRequest(experimentsGetByNameSchema, input);
    return { experiment: await experiments.getExperimentByName(db, experiment_name) };
  },
  "experiments/get": async (db, input) => {
    const { experiment_id } = parseRequest(experimentsGetSchema, input);
    return { experiment: await experiments.getExperiment(db, experiment_id) };
  },
  "experiments/create": async (db, input) => {
    const { name, tags } = parseRequest(experimentsCreateSchema, input);
    return { experiment_id: await experiments.createExperiment(db, name, tags) };
  },
  "runs/create": async (db, input) => {
    const r = parseRequest(runsCreateSchema, input);
    return {
      run: await store.createRun(db, { experimentId: r.experiment_id, userId: r.user_id, runName: r.run_name, startTime: r.start_time, tags: r.tags }),
    };
  },
  "runs/get": async (db, input) => {
    const r = parseRequest(runsGetSchema, input);
    return { run: await store.getRun(db, runIdOf(r)) };
  },
  "runs/search": async (db, input) => read.searchRuns(db, parseRequest(runsSearchSchema, input)),
  "metrics/get-history": async (db, input) => {
    const runId = runIdOf(parseRequest(runsGetSchema, input));
    return read.getMetricHistory(db, { runId, ...parseRequest(metricHistorySchema, input) });
  },
  "experiments/search": async (db, input) => read.searchExperiments(db, parseRequest(experimentsSearchSchema, input)),
  "experiments/list": async (db, input) => read.listExperiments(db, parseRequest(experimentsListSchema, input)),
  "runs/update": async (db, input) => {
    const r = parseRequest(runsUpdateSchema, input);
    return store.updateRun(db, { runId: runIdOf(r), status: r.status, endTime: r.end_time, runName: r.run_name });
  },
  "runs/log-batch": async (db, input) => {
    const b = parseRequest(logBatchSchema, input);
    checkBatchLimits(b);
    const metrics = parseItems(metricSchema, b.metrics, "metrics");
    const params = parseItems(paramSchema, b.params, "params");
    const tags = parseItems(tagSchema, b.tags, "tags");
    await store.logBatch(db, {
      runId: runIdOf(b),
      metrics: metrics.map((m) => ({ key: m.key, value: m.value, step: m.step, wallTime: m.timestamp })),
      params,
      tags,
    });
    return {};
  },
  "runs/log-metric": async (db, input) => {
    const m = parseRequest(logMetricSchema, input);
    await store.logBatch(db, { runId: runIdOf(m), metrics: [{ key: m.key, value: m.value, step: m.step, wallTime: m.timestamp }], params: [], tags: [] });
    return {};
  },
  "runs/log-parameter": async (db, input) => {
    const p = parseRequest(logParamSchema, input);
    await store.logBatch(db, { runId: runIdOf(p), metrics: [], params: [{ key: p.key, value: p.value }], tags: [] });
    return {};
  },
  "runs/set-tag": async (db, input) => {
    const t = parseRequest(setTagSchema, input);
    await store.logBatch(db, { runId: runIdOf(t), metrics: [], params: [], tags: [{ key: t.key, value: t.value }] });
    return {};
  },
  "runs/delete-tag": async (db, input) => {
    const t = parseRequest(deleteTagSchema, input);
    await store.deleteTag(db, runIdOf(t), t.key);
    return {};
  },
  "runs/delete": async (db, input) => {
    await store.deleteRun(db, runIdOf(parseRequest(runsGetSchema, input)));
    return {};
  },
  "runs/restore": async (db, input) => {
    await store.restoreRun(db, runIdOf(parseRequest(runsGetSchema, input)));
    return {};
  },
  "experiments/delete": async (db, input) => {
    await experiments.deleteExperiment(db, parseRequest(experimentsGetSchema, input).experiment_id);
    return {};
  },
  "experiments/restore": async (db, input) => {
    await experiments.restoreExperiment(db, parseRequest(experimentsGetSchema, input).experiment_id);
    return {};
  },
  "experiments/update": async (db, input) => {
    const u = parseRequest(experimentsUpdateSchema, input);
    await experiments.renameExperiment(db, u.experiment_id, u.new_name);
    return {};
  },
} satisfies Record<string, Handler>;

export type Endpoint = keyof typeof handlers;

/** MLflow serves reads as GET (query string) and writes as POST (JSON body). */
export const ENDPOINT_METHODS: Record<Endpoint, "GET" | "POST"> = {
  "experiments/get-by-name": "GET",
  "experiments/get": "GET",
  "experiments/create": "POST",
  "runs/create": "POST",
  "runs/get": "GET",
  // Searches are POST with a JSON body, as MLflow's clients send them; experiments/list is MLflow 1.x's.
  "runs/search": "POST",
  "metrics/get-history": "GET",
  "experiments/search": "POST",
  "experiments/list": "GET",
  "runs/update": "POST",
  "runs/log-batch": "POST",
  "runs/log-metric": "POST",
  "runs/log-parameter": "POST",
  "runs/set-tag": "POST",
  "runs/delete-tag": "POST",
  "runs/delete": "POST",
  "runs/restore": "POST",
  "experiments/delete": "POST",
  "experiments/restore": "POST",
  "experiments/update": "POST",
};
