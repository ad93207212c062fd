"use client";
// A scatter of base models (one point each, labelled in the tooltip); censored MCS drawn as triangles.
import { Chart as ChartJS, Legend, LinearScale, PointElement, Tooltip, type TooltipItem } from "chart.js";
import { Scatter } from "react-chartjs-2";

ChartJS.register(LinearScale, PointElement, Tooltip, Legend);

export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  censored: boolean;
}

export function LeaderboardScatter(props: { title: string; xLabel: string; yLabel: string; points: ScatterPoint[] }) {
  const collapsed = props.points.filter((p) => !p.censored);
  const censored = props.points.filter((p) => p.censored);
  const label = (ctx: TooltipItem<"scatter">) => {
    const p = ctx.raw as ScatterPoint;
    return `${p.label}: ${p.censored ? "> " : ""}${p.x.toFixed(2)}, ${p.y.toFixed(2)}`;
  };
  return (
    <figure className="card lb-chart">
      <figcaption>{props.title}</figcaption>
      {props.points.length === 0 ? (
        <p className="muted">No base model has both figures yet.</p>
      ) : (
        <Scatter
          data={{
            datasets: [
              { label: "base model", data: collapsed, backgroundColor: "#2f5bd3", pointRadius: 6 },
              ...(censored.length
                ? [{ label: "censored MCS (> bound)", data: censored, backgroundColor: "#b42318", pointStyle: "triangle" as const, pointRadius: 8 }]
                : []),
            ],
          }}
          options={{
            animation: false,
            plugins: { tooltip: { callbacks: { label } }, legend: { position: "bottom" } },
            scales: {
              x: { type: "linear", title: { display: true, text: props.xLabel } },
              y: { type: "linear", title: { display: true, text: props.yLabel } },
            },
          }}
        />
      )}
    </figure>
  );
}
