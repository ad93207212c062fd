// The report's figures: Chart.js (the dashboard's chart library) drawn headless on @napi-rs/canvas
// into PNG files. Each function takes plain series and returns PNG bytes; the report decides what
// goes in them and where they are written.
import { createCanvas } from "@napi-rs/canvas";
import {
  Chart,
  type ChartConfiguration,
  type ChartDataset,
  Legend,
  LineController,
  LineElement,
  LinearScale,
  type Plugin,
  PointElement,
  ScatterController,
  Title,
} from "chart.js";
import type { MetricPoint } from "../runner/engine/metrics/mcs";

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, Legend, Title);

const WIDTH = 900;
const HEIGHT = 500;

/**
 * One color per reward method in every figure, so a method is recognized across the report
 * (Tableau 10, distinguishable in print and for the common color-vision deficiencies).
 */
export const METHOD_COLORS: Readonly<Record<string, string>> = {
  majority_vote: "#4e79a7",
  cluster_frequency: "#f28e2b",
  self_certainty: "#e15759",
  token_entropy: "#76b7b2",
  trajectory_entropy: "#59a14f",
  probability: "#edc948",
  self_verification: "#b07aa1",
  ground_truth: "#222222",
};

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/** A method's color, or the palette's i-th for anything else (models, dataset sizes). */
export function colorFor(key: string, i: number): string {
  return METHOD_COLORS[key] ?? PALETTE[i % PALETTE.length]!;
}

export interface LineSeries {
  label: string;
  points: readonly MetricPoint[];
  color: string;
  dashed?: boolean;
  /** Draw every point as a dot (sparse series such as validation every N steps). */
  markers?: boolean;
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly LineSeries[];
  /** Horizontal reference lines (e.g. the MCS threshold), drawn dashed in grey. */
  hlines?: readonly { y: number; label: string }[];
  yMin?: number;
  yMax?: number;
}

const WHITE_BACKGROUND: Plugin = {
  id: "whiteBackground",
  beforeDraw(chart) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, chart.width, chart.height);
    ctx.restore();
  },
};

async function render(config: ChartConfiguration, plugins: Plugin[] = []): Promise<Buffer> {
  const canvas = createCanvas(WIDTH, HEIGHT);
  // Chart.js expects a DOM canvas; @napi-rs/canvas implements the 2D context it draws with.
  const chart = new Chart(canvas as any, {
    ...config,
    options: { ...config.options, animation: false, responsive: false, devicePixelRatio: 1 },
    plugins: [WHITE_BACKGROUND, ...plugins, ...(config.plugins ?? [])],
  } as ChartConfiguration);
  try {
    chart.draw();
    return await canvas.encode("png");
  } finally {
    chart.destroy();
  }
}

const FONT = { size: 13 };

export function lineChart(spec: LineChartSpec): Promise<Buffer> {
  const xs = spec.series.flatMap((s) => s.points.map((p) => p.step));
  const xMin = xs.length ? Math.min(...xs) : 0;
  const xMax = xs.length ? Math.max(...xs) : 1;
  const datasets: ChartDataset<"line", { x: number; y: number }[]>[] = spec.series.map((s) => ({
    label: s.label,
    data: s.points.map((p) => ({ x: p.step, y: p.value })),
    borderColor: s.color,
    backgroundColor: s.color,
    borderWidth: 2,
    borderDash: s.dashed ? [6, 4] : [],
    pointRadius: s.markers ? 3 : 0,
    tension: 0,
  }));
  for (const h of spec.hlines ?? []) {
    datasets.push({
      label: h.label,
      data: [{ x: xMin, y: h.y }, { x: xMax, y: h.y }],
      borderColor: "#888888",
      backgroundColor: "#888888",
      borderWidth: 1.5,
      borderDash: [3, 3],
      pointRadius: 0,
    });
  }
  return render({
    type: "line",
    data: { datasets },
    options: {
      parsing: false,
      plugins: { title: { display: true, text: spec.title, font: { size: 16 } }, legend: { position: "bottom", labels: { font: FONT } } },
      scales: {
        x: { type: "linear", min: xMin, max: xMax, title: { display: true, text: spec.xLabel, font: FONT } },
        y: {
          type: "linear",
          min: spec.yMin,
          max: spec.yMax,
          title: { display: true, text: spec.yLabel, font: FONT },
        },
      },
    },
  });
}

export interface ScatterPoint {
  x: number;
  y: number;
  label: string;
  /** Drawn hollow, with its label prefixed "> " (a lower bound, not a value). */
  censored: boolean;
}

export interface ScatterChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  points: readonly ScatterPoint[];
}

/** Writes each point's label beside it (Chart.js has no data labels without a plugin). */
function pointLabels(labels: string[][]): Plugin {
  return {
    id: "pointLabels",
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      ctx.save();
      ctx.font = "12px sans-serif";
      ctx.fillStyle = "#333333";
      chart.data.datasets.forEach((_, d) => {
        chart.getDatasetMeta(d).data.forEach((el, i) => {
          const text = labels[d]?.[i];
          if (text) ctx.fillText(text, el.x + 7, el.y - 7);
        });
      });
      ctx.restore();
    },
  };
}

export function scatterChart(spec: ScatterChartSpec): Promise<Buffer> {
  const collapsed = spec.points.filter((p) => !p.censored);
  const censored = spec.points.filter((p) => p.censored);
  const color = PALETTE[0]!;
  const datasets: ChartDataset<"scatter", { x: number; y: number }[]>[] = [
    { label: "collapsed (MCS = x)", data: collapsed.map((p) => ({ x: p.x, y: p.y })), backgroundColor: color, borderColor: color, pointRadius: 6 },
    {
      label: "censored (MCS > x, never fell below the threshold)",
      data: censored.map((p) => ({ x: p.x, y: p.y })),
      backgroundColor: "rgba(0,0,0,0)",
      borderColor: color,
      borderWidth: 2,
      pointRadius: 6,
    },
  ];
  const labels = [collapsed.map((p) => p.label), censored.map((p) => `${p.label} (> ${p.x})`)];
  return render(
    {
      type: "scatter",
      data: { datasets },
      options: {
        plugins: { title: { display: true, text: spec.title, font: { size: 16 } }, legend: { position: "bottom", labels: { font: FONT } } },
        scales: {
          x: { type: "linear", grace: "10%", title: { display: true, text: spec.xLabel, font: FONT } },
          y: { type: "linear", grace: "10%", title: { display: true, text: spec.yLabel, font: FONT } },
        },
      },
    },
    [pointLabels(labels)],
  );
}
