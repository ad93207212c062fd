"use client";
// One metric of several runs: a line per run, or per group (base model / reward method) the mean
// with a shaded min-max band (Chart.js fills between the group's min and max datasets).
import { useQuery } from "@tanstack/react-query";
import {
  Chart as ChartJS, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip, type ChartDataset, type LegendItem,
} from "chart.js";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useState } from "react";
import { Line } from "react-chartjs-2";
import { useTRPC } from "@/app/trpc/client";
import { MCS_THRESHOLD } from "@/runner/engine/metrics/mcs";
import { MCS_METRIC, METRIC_DESCRIPTIONS, type MetricName } from "@/runner/engine/metrics/metric-names";
import { RunCells, RunHeaderCells } from "./run-cells";
import type { CompareRun, GroupBy } from "@/server/services/compare";

ChartJS.register(LinearScale, LineElement, PointElement, Filler, Tooltip, Legend);

const PALETTE = ["#2f5bd3", "#d3412f", "#1f9d55", "#b7791f", "#805ad5", "#0e7490", "#c026d3", "#4b5563", "#65a30d", "#ea580c"];
const color = (i: number, alpha = 1) => {
  const hex = PALETTE[i % PALETTE.length]!;
  if (alpha === 1) return hex;
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
};
const runLabel = (r: CompareRun) => `${r.model} · ${r.rewardMethod} · seed ${r.seed}`;
const BAND_LOW = " (min)";

type XY = { x: number; y: number };

export function ComparePanel(props: { runs: CompareRun[]; keys: string[]; initialKey: string; initialGroup: GroupBy }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [key, setKey] = useState(props.initialKey);
  const [groupBy, setGroupBy] = useState<GroupBy>(props.initialGroup);
  // Zoom: a step window asked of the server, which re-buckets the raw points inside it.
  const [stepWindow, setStepWindow] = useState<{ minStep?: number; maxStep?: number }>({});
  const [draft, setDraft] = useState({ from: "", to: "" });
  const runIds = props.runs.map((r) => r.id);
  const q = useQuery(
    trpc.compare.series.queryOptions({ runIds, key, groupBy, ...stepWindow }, { enabled: runIds.length > 0, placeholderData: (prev) => prev }),
  );

  const remember = (k: string, g: GroupBy) => {
    const sp = new URLSearchParams(searchParams.toString());
    sp.set("key", k);
    sp.set("group", g);
    router.replace(`${pathname}?${sp.toString()}`, { scroll: false });
  };

  let datasets: ChartDataset<"line", XY[]>[] = [];
  if (q.data && groupBy === "run") {
    const byId = new Map(q.data.runs.map((r) => [r.id, r]));
    datasets = q.data.series.map((s, i) => ({
      label: runLabel(byId.get(s.runId)!),
      data: s.points.filter((p) => Number.isFinite(p.value)).map((p) => ({ x: p.step, y: p.value })),
      borderColor: color(i),
      backgroundColor: color(i),
      borderWidth: 1.5,
      pointRadius: 0,
    }));
  } else if (q.data) {
    datasets = q.data.groups.flatMap((g, i) => [
      { label: `${g.label}${BAND_LOW}`, data: g.points.map((p) => ({ x: p.step, y: p.min })), borderColor: "transparent", pointRadius: 0, fill: false },
      {
        label: `${g.label} (max)`, data: g.points.map((p) => ({ x: p.step, y: p.max })), borderColor: "transparent",
        backgroundColor: color(i, 0.18), pointRadius: 0, fill: "-1",
      },
      {
        label: `${g.label}: mean of ${g.runIds.length} run${g.runIds.length === 1 ? "" : "s"}`,
        data: g.points.map((p) => ({ x: p.step, y: p.mean })), borderColor: color(i), backgroundColor: color(i),
        borderWidth: 2, pointRadius: 0, fill: false,
      },
    ]);
  }
  if (key === MCS_METRIC && datasets.length > 0) {
    const xs = datasets.flatMap((d) => (d.data.length ? [d.data[0]!.x, d.data[d.data.length - 1]!.x] : []));
    datasets.push({
      label: `collapse threshold (${MCS_THRESHOLD * 100}%)`,
      data: [{ x: Math.min(...xs), y: MCS_THRESHOLD }, { x: Math.max(...xs), y: MCS_THRESHOLD }],
      borderColor: "#b42318",
      borderDash: [6, 4],
      borderWidth: 1,
      pointRadius: 0,
      fill: false,
    });
  }
  const legendFilter = (item: LegendItem) => !item.text.endsWith(BAND_LOW) && !item.text.endsWith(" (max)");

  return (
    <>
      <div className="toolbar">
        <label>
          Metric
          <select
            value={key}
            onChange={(e) => {
              setKey(e.target.value);
              remember(e.target.value, groupBy);
            }}
          >
            {props.keys.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <label>
          Group by
          <select
            value={groupBy}
            onChange={(e) => {
              const g = e.target.value as GroupBy;
              setGroupBy(g);
              remember(key, g);
            }}
          >
            <option value="run">nothing (one line per run)</option>
            <option value="model">base model (mean, min-max band)</option>
            <option value="method">reward method (mean, min-max band)</option>
          </select>
        </label>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            const num = (s: string) => (s.trim() === "" || !Number.isFinite(Number(s)) ? undefined : Math.max(0, Math.floor(Number(s))));
            setStepWindow({ minStep: num(draft.from), maxStep: num(draft.to) });
          }}
        >
          <label>
            From step
            <input type="number" min={0} value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} style={{ width: "7rem" }} />
          </label>
          <label>
            To step
            <input type="number" min={0} value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} style={{ width: "7rem" }} />
          </label>
          <button type="submit">Zoom</button>
          <button
            type="button"
            onClick={() => {
              setDraft({ from: "", to: "" });
              setStepWindow({});
            }}
          >
            Reset
          </button>
        </form>
      </div>
      {METRIC_DESCRIPTIONS[key as MetricName] && <p className="muted">{METRIC_DESCRIPTIONS[key as MetricName]}</p>}
      <div className="card" data-testid="compare-chart">
        {q.isLoading && <p className="muted">Loading…</p>}
        {q.error && <p className="form-error">{q.error.message}</p>}
        {q.data && (
          <Line
            data={{ datasets }}
            options={{
              animation: false,
              parsing: false,
              normalized: true,
              interaction: { mode: "nearest", intersect: false },
              scales: { x: { type: "linear", title: { display: true, text: "step" } }, y: { type: "linear", title: { display: true, text: key } } },
              plugins: { legend: { position: "bottom", labels: { filter: legendFilter } }, tooltip: { filter: (item) => legendFilter({ text: item.dataset.label ?? "" } as LegendItem) } },
            }}
          />
        )}
      </div>
      <table>
        <thead>
          <tr>
            <th>Run</th>
            <RunHeaderCells />
          </tr>
        </thead>
        <tbody>
          {props.runs.map((r) => (
            <tr key={r.id}>
              <td>
                <a href={`/runs/${r.id}`}>{r.id.slice(0, 8)}</a>
              </td>
              <RunCells run={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
