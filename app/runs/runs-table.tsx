"use client";
// The runs table's interactive part: row selection, cancel, re-queue, delete / restore and "compare selected".
import { useMutation } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { METRIC_DESCRIPTIONS, type MetricName } from "@/runner/engine/metrics/metric-names";
import type { RunRow } from "@/server/services/runs";
import { isActiveStatus, type RunSort, type RunView } from "@/server/schemas/runs";
import { useTRPC } from "../trpc/client";
import { StatusBadge } from "../components/status-badge";
import { Progress } from "../components/progress";
import { formatValue, formatWait, mcsCell } from "../components/format";
import type { RunWait } from "@/server/services/timing";

export type SortLinks = Record<RunSort, { href: string; active: boolean; dir: "asc" | "desc" | null }>;


function SortHeader({ link, children }: { link: SortLinks[RunSort]; children: React.ReactNode }) {
  return (
    <th aria-sort={link.active ? (link.dir === "asc" ? "ascending" : "descending") : undefined}>
      <Link href={link.href}>
        {children}
        {link.active ? (link.dir === "asc" ? " ▲" : " ▼") : ""}
      </Link>
    </th>
  );
}

export function RunsTable({
  runs,
  sortLinks,
  metrics,
  waits,
  view,
}: {
  runs: RunRow[];
  sortLinks: SortLinks;
  metrics: MetricName[];
  waits: Record<string, RunWait>;
  view: RunView;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState<string>("");
  const done = (text: string) => {
    setMessage(text);
    router.refresh();
  };
  const fail = (err: { message: string }) => setMessage(`Failed: ${err.message}`);
  const cancel = useMutation(
    trpc.runs.cancel.mutationOptions({
      onSuccess: (r) => done(`Canceled ${r.canceled} queued run(s); asked ${r.stopping} running run(s) to stop.`),
      onError: fail,
    }),
  );
  const requeue = useMutation(
    trpc.runs.requeue.mutationOptions({
      onSuccess: (r) => done(`Queued ${r.copies.length} fresh copy(ies)${r.skipped ? `; skipped ${r.skipped} still active` : ""}.`),
      onError: fail,
    }),
  );
  const remove = useMutation(
    trpc.runs.delete.mutationOptions({
      onSuccess: (r) =>
        done(`Deleted ${r.deleted} run(s)${r.stopping ? `; asked ${r.stopping} running run(s) to stop first` : ""}. Show deleted runs to restore them.`),
      onError: fail,
    }),
  );
  const restore = useMutation(
    trpc.runs.restore.mutationOptions({
      onSuccess: (r) => done(`Restored ${r.restored} run(s).`),
      onError: fail,
    }),
  );
  const ids = [...selected].filter((id) => runs.some((r) => r.id === id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });
  const allSelected = runs.length > 0 && runs.every((r) => selected.has(r.id));
  const busy = cancel.isPending || requeue.isPending || remove.isPending || restore.isPending;

  return (
    <>
      <div className="toolbar" role="toolbar" aria-label="Selected runs">
        <span className="muted">{ids.length} selected</span>
        <button type="button" disabled={ids.length === 0 || busy} onClick={() => cancel.mutate({ ids })}>
          Cancel selected
        </button>
        <button type="button" disabled={ids.length === 0 || busy} onClick={() => requeue.mutate({ ids })}>
          Re-queue selected
        </button>
        {view === "deleted" ? (
          <button type="button" disabled={ids.length === 0 || busy} onClick={() => restore.mutate({ ids })}>
            Restore selected
          </button>
        ) : (
          <button
            type="button"
            disabled={ids.length === 0 || busy}
            title="Hide from tables, compare, leaderboard and exports (restorable); queued runs are canceled, running ones stopped"
            onClick={() => remove.mutate({ ids })}
          >
            Delete selected
          </button>
        )}
        {ids.length >= 2 ? (
          <Link className="button" href={`/compare?runs=${ids.join(",")}`}>
            Compare {ids.length} runs
          </Link>
        ) : (
          <span className="muted" title="Select two or more runs to compare them">
            Compare (select 2+)
          </span>
        )}
        <span role="status" className="toolbar-message">
          {message}
        </span>
      </div>
      <div className="table-scroll">
        <table className="runs-table">
          <thead>
            <tr>
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all runs on this page"
                  checked={allSelected}
                  onChange={() => setSelected(allSelected ? new Set() : new Set(runs.map((r) => r.id)))}
                />
              </th>
              <th>Run</th>
              <SortHeader link={sortLinks.status}>Status</SortHeader>
              <SortHeader link={sortLinks.model}>Base model</SortHeader>
              <SortHeader link={sortLinks.reward}>Reward method</SortHeader>
              <SortHeader link={sortLinks.datasetSize}>Data</SortHeader>
              <SortHeader link={sortLinks.seed}>Seed</SortHeader>
              <SortHeader link={sortLinks.progress}>Progress</SortHeader>
              <SortHeader link={sortLinks.mcs}>MCS</SortHeader>
              {metrics.map((m) => (
                <th key={m} title={METRIC_DESCRIPTIONS[m]}>
                  <abbr title={`${m}: ${METRIC_DESCRIPTIONS[m]}`}>{m.slice(m.indexOf("/") + 1)}</abbr>
                  <br />
                  <span className="muted small">last (best)</span>
                </th>
              ))}
              <SortHeader link={sortLinks.created}>Created</SortHeader>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((r) => (
              <tr key={r.id} data-run-id={r.id}>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select run ${r.id.slice(0, 8)}`}
                    checked={selected.has(r.id)}
                    onChange={() => toggle(r.id)}
                  />
                </td>
                <td>
                  <Link href={`/runs/${r.id}`} className="mono">
                    {r.id.slice(0, 8)}
                  </Link>
                  {r.experiment ? (
                    <div className="muted small">
                      {r.experiment.name}
                      {r.experiment.tags.length > 0 ? ` · ${r.experiment.tags.join(", ")}` : ""}
                    </div>
                  ) : null}
                </td>
                <td>
                  <StatusBadge status={r.status} cancelRequested={r.cancelRequested} />
                </td>
                <td>{r.baseModel.name}</td>
                <td>{r.rewardMethod}</td>
                <td>{r.datasetSize}</td>
                <td>{r.seed}</td>
                <td>
                  <Progress current={r.currentStep} total={r.totalSteps} />
                  {waits[r.id] && (
                    <div className="muted small" data-testid="run-wait">
                      {formatWait(waits[r.id]!)}
                    </div>
                  )}
                </td>
                <td title={mcsCell(r).title} data-testid="run-mcs-cell">
                  {mcsCell(r).text}
                </td>
                {metrics.map((m) => {
                  const c = r.metrics[m];
                  return (
                    <td key={m}>
                      {c ? (
                        <>
                          {formatValue(c.last)} <span className="muted">({formatValue(c.best)})</span>
                        </>
                      ) : (
                        <span className="muted">–</span>
                      )}
                    </td>
                  );
                })}
                <td className="small">{new Date(r.createdAt).toISOString().slice(5, 16).replace("T", " ")}</td>
                <td>
                  {isActiveStatus(r.status) ? (
                    <button type="button" disabled={busy || r.cancelRequested} onClick={() => cancel.mutate({ ids: [r.id] })}>
                      Cancel
                    </button>
                  ) : (
                    <button type="button" disabled={busy} onClick={() => requeue.mutate({ ids: [r.id] })} title="Queue a fresh copy of this run">
                      Re-queue
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">
        Re-queue queues a fresh copy of a finished run (same config and seed, new id); the original keeps its curves and
        log. Cancel stops a queued run at once and a running one within seconds.
      </p>
    </>
  );
}
