"use client";
/**
 * One metric's line chart (Chart.js via react-chartjs-2): TensorBoard-style EMA smoothing (the raw
 * series stays visible, faded), linear or log y, step or wall-time x, a vertical marker (MCS) and a
 * horizontal line (collapse threshold), and drag-to-zoom that reports a STEP window so the caller can
 * ask the server for the finer-grained points of that window. Points arrive downsampled already
 * (<= ~1000 per series), so Chart.js parses nothing (parsing: false) and animates nothing.
 */
import {
  Chart as ChartJS,
  Legend,
  LinearScale,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartData,
  type ChartOptions,
  type Plugin,
} from "chart.js";
import { useMemo, useRef, useState } from "react";
import { Line } from "react-chartjs-2";
import type { SeriesPoint } from "@/server/services/downsample";
import { emaSmooth } from "@/server/services/smoothing";

/** Lines drawn over the data: a vertical one at a step (MCS) and a horizontal one (threshold). */
interface RefLines {
  x?: number | null;
  xLabel?: string;
  y?: number | null;
  yLabel?: string;
}

const refLinesPlugin: Plugin<"line"> = {
  id: "refLines",
  afterDatasetsDraw(chart) {
    const opts = (chart.options.plugins as { refLines?: RefLines } | undefined)?.refLines;
    if (!opts) return;
    const { ctx, chartArea: area, scales } = chart;
    ctx.save();
    ctx.lineWidth = 1.5;
    ctx.font = "11px system-ui, sans-serif";
    if (opts.y !== null && opts.y !== undefined) {
      const py = scales.y.getPixelForValue(opts.y);
      if (py >= area.top && py <= area.bottom) {
        ctx.strokeStyle = "#b42318";
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, py);
        ctx.lineTo(area.right, py);
        ctx.stroke();
        ctx.fillStyle = "#b42318";
        if (opts.yLabel) ctx.fillText(opts.yLabel, area.left + 4, py - 4);
      }
    }
    if (opts.x !== null && opts.x !== undefined) {
      const px = scales.x.getPixelForValue(opts.x);
      if (px >= area.left && px <= area.right) {
        ctx.strokeStyle = "#7a2ea8";
        ctx.setLineDash([]);
        ctx.beginPath();
        ctx.moveTo(px, area.top);
        ctx.lineTo(px, area.bottom);
        ctx.stroke();
        ctx.fillStyle = "#7a2ea8";
        if (opts.xLabel) ctx.fillText(opts.xLabel, Math.min(px + 4, area.right - 60), area.top + 12);
      }
    }
    ctx.restore();
  },
};

ChartJS.register(LinearScale, LogarithmicScale, PointElement, LineElement, Tooltip, Legend, refLinesPlugin);

export type XAxis = "step" | "time";

export interface ChartSeries {
  label: string;
  color: string;
  points: SeriesPoint[];
  /** Wall-time origin (ms) for the time axis; the series' first point when omitted. */
  timeOrigin?: number;
}

export interface MetricChartProps {
  title: string;
  description?: string;
  series: ChartSeries[];
  /** EMA weight in [0, 1). */
  smoothing: number;
  logScale: boolean;
  xAxis: XAxis;
  /** Shown when the chart is zoomed: the [min, max] step window. */
  markerStep?: number | null;
  markerLabel?: string;
  thresholdY?: number | null;
  thresholdLabel?: string;
  onZoom?: (minStep: number, maxStep: number) => void;
  height?: number;
}

function withAlpha(hex: string, alpha: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export function MetricChart(props: MetricChartProps) {
  const { title, description, series, smoothing, logScale, xAxis, markerStep, thresholdY, onZoom, height = 220 } = props;
  const chartRef = useRef<ChartJS<"line"> | null>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);

  const xOf = useMemo(
    () => (s: ChartSeries, p: SeriesPoint) =>
      xAxis === "step" ? p.step : (p.wallTime - (s.timeOrigin ?? s.points[0]?.wallTime ?? 0)) / 1000,
    [xAxis],
  );

  const data: ChartData<"line", Array<{ x: number; y: number | null }>> = useMemo(() => {
    const y = (v: number) => (Number.isFinite(v) && !(logScale && v <= 0) ? v : null);
    return {
      datasets: series.flatMap((s) => {
        const raw = s.points.map((p) => ({ x: xOf(s, p), y: y(p.value) }));
        const line = { parsing: false as const, pointRadius: 0, borderWidth: 1.5, spanGaps: true, tension: 0 };
        if (smoothing <= 0) return [{ ...line, label: s.label, data: raw, borderColor: s.color, backgroundColor: s.color }];
        const smooth = emaSmooth(s.points.map((p) => p.value), smoothing);
        return [
          { ...line, label: `${s.label} (raw)`, data: raw, borderColor: withAlpha(s.color, 0.25), backgroundColor: withAlpha(s.color, 0.25), borderWidth: 1 },
          { ...line, label: s.label, data: s.points.map((p, i) => ({ x: xOf(s, p), y: y(smooth[i]) })), borderColor: s.color, backgroundColor: s.color, borderWidth: 2 },
        ];
      }),
    };
  }, [series, smoothing, logScale, xOf]);

  const markerX = useMemo(() => {
    if (markerStep === null || markerStep === undefined) return null;
    if (xAxis === "step") return markerStep;
    const s = series[0];
    const p = s?.points.find((q) => q.step >= markerStep);
    return s && p ? xOf(s, p) : null;
  }, [markerStep, xAxis, series, xOf]);

  const options: ChartOptions<"line"> = useMemo(
    () => ({
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      scales: {
        x: { type: "linear", title: { display: true, text: xAxis === "step" ? "step" : "wall time (s since start)" } },
        // Keep the threshold line in view (reward accuracy starts far above 1%).
        y: {
          type: logScale ? "logarithmic" : "linear",
          ...(thresholdY !== null && thresholdY !== undefined && { suggestedMin: logScale ? thresholdY / 2 : Math.min(0, thresholdY) }),
        },
      },
      plugins: {
        legend: { display: series.length > 1, labels: { filter: (item) => !item.text.endsWith("(raw)"), boxHeight: 2 } },
        tooltip: {
          filter: (item) => !String(item.dataset.label).endsWith("(raw)"),
          callbacks: { title: (items) => (items[0] ? `${xAxis === "step" ? "step" : "t ="} ${items[0].parsed.x}${xAxis === "time" ? " s" : ""}` : "") },
        },
        // Read by refLinesPlugin above.
        ...({ refLines: { x: markerX, xLabel: props.markerLabel, y: thresholdY, yLabel: props.thresholdLabel } } as object),
      },
    }),
    [xAxis, logScale, series.length, markerX, thresholdY, props.markerLabel, props.thresholdLabel],
  );

  // Drag across the plot to zoom: pixel range -> axis values -> step window.
  const toValue = (px: number) => chartRef.current?.scales.x.getValueForPixel(px) ?? 0;
  const finishDrag = () => {
    if (!drag || !onZoom) return setDrag(null);
    const [a, b] = [Math.min(drag.from, drag.to), Math.max(drag.from, drag.to)];
    setDrag(null);
    if (b - a < 6) return;
    const [lo, hi] = [toValue(a), toValue(b)];
    let steps: number[];
    if (xAxis === "step") steps = [Math.floor(lo), Math.ceil(hi)];
    else steps = series.flatMap((s) => s.points.filter((p) => xOf(s, p) >= lo && xOf(s, p) <= hi).map((p) => p.step));
    if (steps.length === 0) return;
    const minStep = Math.max(0, Math.min(...steps));
    const maxStep = Math.max(...steps);
    if (maxStep > minStep) onZoom(minStep, maxStep);
  };
  const last = series[0]?.points.findLast((p) => Number.isFinite(p.value));

  return (
    <figure className="chart" title={description}>
      <figcaption>
        <b>{title}</b>
        {description ? <span className="chart-help">{description}</span> : null}
      </figcaption>
      <div
        className="chart-canvas"
        style={{ height }}
        onPointerDown={(e) => {
          if (!onZoom || e.button !== 0) return;
          const x = e.nativeEvent.offsetX;
          setDrag({ from: x, to: x });
        }}
        onPointerMove={(e) => drag && setDrag({ ...drag, to: e.nativeEvent.offsetX })}
        onPointerUp={finishDrag}
        onPointerLeave={() => setDrag(null)}
      >
        <Line
          ref={chartRef}
          data={data}
          options={options}
          role="img"
          aria-label={`${title}: ${series[0]?.points.length ?? 0} points${last ? `, last ${last.value.toPrecision(3)} at step ${last.step}` : ""}`}
        />
        {drag && Math.abs(drag.to - drag.from) > 2 ? (
          <div className="chart-drag" style={{ left: Math.min(drag.from, drag.to), width: Math.abs(drag.to - drag.from) }} />
        ) : null}
      </div>
    </figure>
  );
}
