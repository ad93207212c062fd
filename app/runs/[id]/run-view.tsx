"use client";
/**
 * One run: status, timings, runner, config (a table), metric summaries, charts with the MCS marker
 * and the collapse threshold, and the log tail. Polls every 1.5 s while the run is queued or running
 * and stops when it has finished. Chart controls are shared by all charts; zooming (drag on a chart
 * or the buttons) asks the server for that step window, re-downsampled from the raw points.
 */
import { useMutation, useQuery, useQueryClient, keepPreviousData } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { METRICS, METRIC_DESCRIPTIONS, type MetricName } from "@/runner/engine/metrics/metric-names";
import { MCS_THRESHOLD } from "@/runner/engine/metrics/mcs";
import { trainConfigSchema } from "@/runner/engine/train/config";
import { isActiveStatus } from "@/server/schemas/runs";
import { useTRPC } from "../../trpc/client";
import { StatusBadge } from "../../components/status-badge";
import { Progress } from "../../components/progress";
import { MetricChart, type XAxis } from "../../components/metric-chart";
import { ChartControls, type StepWindow } from "../../components/chart-controls";
import { formatDuration, formatTime, formatValue, formatWait, mcsCell } from "../../components/format";

/** The charts of the run page, in reading order. */
export const RUN_CHARTS: readonly MetricName[] = [
  METRICS.rewardAccuracy,
  METRICS.groundTruthReward,
  METRICS.proxyReward,
  METRICS.labelAccuracy,
  METRICS.majorityRatio,
  METRICS.entropy,
  METRICS.klRef,
  METRICS.lengthMean,
  METRICS.valAccuracy,
];

const POLL_MS = 1500;

function configValue(v: unknown): string {
  if (v === null || v === undefined) return "–";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** Config rows in the schema's order (jsonb reorders keys), then any extra keys (external runs). */
function configRows(config: Record<string, unknown>): Array<[string, unknown]> {
  const known = Object.keys(trainConfigSchema.shape);
  const keys = [...known.filter((k) => k in config), ...Object.keys(config).filter((k) => !known.includes(k)).sort()];
  return keys.map((k) => [k, config[k]]);
}

export function RunView({ id }: { id: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [smoothing, setSmoothing] = useState(0);
  const [logScale, setLogScale] = useState(false);
  const [xAxis, setXAxis] = useState<XAxis>("step");
  const [zoom, setZoom] = useState<StepWindow | null>(null);

  const runQuery = useQuery({
    ...trpc.runs.get.queryOptions({ id }),
    refetchInterval: (q) => (q.state.data && !isActiveStatus(q.state.data.status) ? false : POLL_MS),
  });
  const run = runQuery.data;
  const active = run ? isActiveStatus(run.status) : true;
  const events = useQuery({ ...trpc.runs.events.queryOptions({ id, limit: 200 }), refetchInterval: active ? POLL_MS : false });
  const wait = useQuery({ ...trpc.runs.wait.queryOptions({ id }), refetchInterval: active ? POLL_MS : false, enabled: active });
  const series = useQuery({
    ...trpc.runs.series.queryOptions({ runIds: [id], keys: [...RUN_CHARTS], minStep: zoom?.min, maxStep: zoom?.max }),
    refetchInterval: active ? POLL_MS : false,
    placeholderData: keepPreviousData,
  });

  // One last fetch of everything when the run settles, so the final points and log lines show.
  const status = run?.status;
  useEffect(() => {
    if (status && !isActiveStatus(status)) {
      void queryClient.invalidateQueries({ queryKey: trpc.runs.series.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.runs.events.pathKey() });
    }
  }, [status, queryClient, trpc]);

  const cancel = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: () => runQuery.refetch() }));
  const remove = useMutation(trpc.runs.delete.mutationOptions({ onSuccess: () => runQuery.refetch() }));
  const restore = useMutation(trpc.runs.restore.mutationOptions({ onSuccess: () => runQuery.refetch() }));
  const requeue = useMutation(
    trpc.runs.requeue.mutationOptions({ onSuccess: (r) => r.copies[0] && router.push(`/runs/${r.copies[0].id}`) }),
  );

  if (runQuery.error) return <p className="bad">Could not load the run: {runQuery.error.message}</p>;
  if (!run) return <p className="muted">Loading…</p>;

  const config = (run.config ?? {}) as Record<string, unknown>;
  const threshold = typeof config.collapseThreshold === "number" ? config.collapseThreshold : MCS_THRESHOLD;
  const started = run.startedAt ? new Date(run.startedAt).getTime() : null;
  const ended = run.finishedAt ? new Date(run.finishedAt).getTime() : Date.now();
  const maxStep = Math.max(run.totalSteps, run.currentStep);
  const mcs = mcsCell(run);
  const mcsText = mcs.text;

  return (
    <>
      <h1>
        Run <span className="mono">{run.id.slice(0, 8)}</span>: {run.baseModel.name} · {run.rewardMethod}
      </h1>
      <div className="run-head">
        <StatusBadge status={run.status} cancelRequested={run.cancelRequested} />
        <Progress current={run.currentStep} total={run.totalSteps} />
        {active && wait.data ? (
          <span className="muted" data-testid="run-wait">
            {formatWait(wait.data)}
          </span>
        ) : null}
        <span>
          MCS <b data-testid="run-mcs" title={mcs.title}>{mcsText}</b>
        </span>
        {isActiveStatus(run.status) ? (
          <button type="button" disabled={cancel.isPending || run.cancelRequested} onClick={() => cancel.mutate({ ids: [run.id] })}>
            {run.cancelRequested ? "Stopping…" : "Cancel run"}
          </button>
        ) : (
          <button type="button" disabled={requeue.isPending} onClick={() => requeue.mutate({ ids: [run.id] })}>
            Re-queue (fresh copy)
          </button>
        )}
        {run.deletedAt ? (
          <button type="button" disabled={restore.isPending} onClick={() => restore.mutate({ ids: [run.id] })}>
            Restore
          </button>
        ) : (
          <button
            type="button"
            disabled={remove.isPending}
            title="Hide from tables, compare, leaderboard and exports (restorable); a queued run is canceled, a running one stopped"
            onClick={() => remove.mutate({ ids: [run.id] })}
          >
            Delete
          </button>
        )}
        <Link href={`/runs?experiment=${run.experiment?.id ?? ""}`}>All runs of this experiment</Link>
        <a href={`/api/export/metrics.csv?runs=${run.id}`} download>
          Download metrics (CSV)
        </a>
      </div>
      {[cancel, requeue, remove, restore].map((m, i) =>
        m.error ? (
          <p key={i} className="form-error" role="alert">
            {["Cancel", "Re-queue", "Delete", "Restore"][i]} failed, nothing changed: {m.error.message}
          </p>
        ) : null,
      )}
      {run.deletedAt ? (
        <p className="card" role="status" data-testid="run-deleted">
          Deleted {new Date(run.deletedAt).toLocaleString()}: hidden from the runs table, compare, the leaderboard and the exports
          until restored.
        </p>
      ) : null}
      {run.error ? (
        <p className="bad card" role="alert">
          {run.error}
        </p>
      ) : null}

      <div className="run-grid">
        <section className="card" aria-label="Overview">
          <h2>Overview</h2>
          <table>
            <tbody>
              <tr><th scope="row">Base model</th><td>{run.baseModel.name} <span className="muted">({run.baseModel.family})</span></td></tr>
              <tr><th scope="row">Reward method</th><td>{run.rewardMethod}</td></tr>
              <tr><th scope="row">Task</th><td>{run.task}</td></tr>
              <tr><th scope="row">Dataset size</th><td>{run.datasetSize}</td></tr>
              <tr><th scope="row">Seed</th><td>{run.seed}</td></tr>
              <tr>
                <th scope="row">Experiment</th>
                <td>
                  {run.experiment ? (
                    <>
                      {run.experiment.name}
                      {run.experiment.tags.length ? <span className="muted"> · {run.experiment.tags.join(", ")}</span> : null}
                      {run.experiment.notes ? <div className="muted small">{run.experiment.notes}</div> : null}
                    </>
                  ) : (
                    "–"
                  )}
                </td>
              </tr>
              <tr>
                <th scope="row">Model Collapse Step</th>
                <td>
                  {mcsText}
                  {mcs.text === "n/a" ? (
                    <span className="muted"> ({mcs.title})</span>
                  ) : run.mcsCensored ? (
                    <span className="muted"> (censored: reward accuracy has not fallen below {threshold})</span>
                  ) : null}
                </td>
              </tr>
            </tbody>
          </table>
        </section>
        <section className="card" aria-label="Timings and runner">
          <h2>Timings and runner</h2>
          <table>
            <tbody>
              <tr><th scope="row">Created</th><td>{formatTime(run.createdAt)}</td></tr>
              <tr><th scope="row">Started</th><td>{formatTime(run.startedAt)}</td></tr>
              <tr><th scope="row">Finished</th><td>{formatTime(run.finishedAt)}</td></tr>
              <tr><th scope="row">Duration</th><td>{started ? formatDuration(ended - started) : "–"}</td></tr>
              <tr>
                <th scope="row">Runner</th>
                <td>{run.runner ? `${run.runner.id} on ${run.runner.host} (${run.runner.devices.join(", ")})` : (run.runnerId ?? "–")}</td>
              </tr>
              <tr><th scope="row">Last heartbeat</th><td>{formatTime(run.heartbeatAt)}</td></tr>
              <tr><th scope="row">Attempts</th><td>{run.attempts} of {run.maxAttempts}</td></tr>
              <tr><th scope="row">Checkpoint</th><td>{run.checkpointStep !== null ? `step ${run.checkpointStep}` : "–"}</td></tr>
            </tbody>
          </table>
        </section>
      </div>

      <section aria-label="Charts">
        <h2>Metrics</h2>
        <ChartControls
          smoothing={smoothing}
          onSmoothing={setSmoothing}
          logScale={logScale}
          onLogScale={setLogScale}
          xAxis={xAxis}
          onXAxis={setXAxis}
          zoom={zoom}
          onZoom={setZoom}
          maxStep={maxStep}
        />
        <p className="muted small">
          Purple line: Model Collapse Step (first step where reward accuracy &lt; the collapse threshold); red dashed line: the
          threshold ({threshold}). Drag across a chart to zoom into those steps; the server sends the finer points of that window.
          {series.isFetching && zoom ? " Loading…" : ""}
        </p>
        <div className="chart-grid" data-testid="charts">
          {RUN_CHARTS.map((key) => {
            const s = series.data?.find((x) => x.key === key);
            const points = s?.points ?? [];
            const isRewardAccuracy = key === METRICS.rewardAccuracy;
            return (
              <div key={key} data-testid={`chart-${key}`} data-points={points.length}>
                <MetricChart
                  title={key}
                  description={METRIC_DESCRIPTIONS[key]}
                  series={[{ label: key, color: "#2f5bd3", points, timeOrigin: started ?? undefined }]}
                  smoothing={smoothing}
                  logScale={logScale}
                  xAxis={xAxis}
                  markerStep={isRewardAccuracy && run.mcsStep !== null && !run.mcsCensored ? run.mcsStep : null}
                  markerLabel={`MCS ${run.mcsStep}`}
                  thresholdY={isRewardAccuracy ? threshold : null}
                  thresholdLabel={`threshold ${threshold}`}
                  onZoom={(min, max) => setZoom({ min, max })}
                />
                {points.length === 0 ? <p className="muted small">No points yet.</p> : null}
              </div>
            );
          })}
        </div>
      </section>

      <section className="card" aria-label="Metric summary">
        <h2>Metric summary</h2>
        {run.summaries.length === 0 ? (
          <p className="muted">No metrics yet.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Metric</th>
                <th>Last</th>
                <th>At step</th>
                <th>Min</th>
                <th>Max</th>
                <th>Points</th>
              </tr>
            </thead>
            <tbody>
              {run.summaries.map((s) => (
                <tr key={s.key}>
                  <td>
                    <abbr title={(METRIC_DESCRIPTIONS as Record<string, string>)[s.key] ?? ""}>{s.key}</abbr>
                  </td>
                  <td>{formatValue(s.last)}</td>
                  <td>{s.lastStep}</td>
                  <td>{formatValue(s.min)}</td>
                  <td>{formatValue(s.max)}</td>
                  <td>{s.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <div className="run-grid">
        <section className="card" aria-label="Config">
          <h2>Config</h2>
          <table data-testid="run-config">
            <tbody>
              {configRows(config).map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td className="mono">{configValue(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card" aria-label="Log">
          <h2>Log (last {events.data?.length ?? 0} lines)</h2>
          <div className="log">
            <table>
              <tbody>
                {(events.data ?? []).map((e) => (
                  <tr key={e.id} className={e.level === "error" ? "bad" : e.level === "warn" ? "warn" : undefined}>
                    <td className="small muted">{formatTime(e.time).slice(11, 19)}</td>
                    <td className="small">{e.level}</td>
                    <td className="mono small">{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {events.data?.length === 0 ? <p className="muted">No log lines yet.</p> : null}
          </div>
        </section>
      </div>
    </>
  );
}
