"use client";
// Controls shared by a page's charts: EMA smoothing, log scale, step or wall-time axis, and zoom
// (buttons for the keyboard; dragging on a chart does the same). Zoom is a step window.
import type { XAxis } from "./metric-chart";

export interface StepWindow {
  min: number;
  max: number;
}

export function ChartControls(props: {
  smoothing: number;
  onSmoothing: (w: number) => void;
  logScale: boolean;
  onLogScale: (v: boolean) => void;
  xAxis: XAxis;
  onXAxis: (v: XAxis) => void;
  zoom: StepWindow | null;
  onZoom: (w: StepWindow | null) => void;
  /** The largest step the charts can show (for zoom buttons). */
  maxStep: number;
}) {
  const { smoothing, onSmoothing, logScale, onLogScale, xAxis, onXAxis, zoom, onZoom, maxStep } = props;
  const full = { min: 0, max: Math.max(1, maxStep) };
  const cur = zoom ?? full;
  const zoomBy = (factor: number) => {
    const mid = (cur.min + cur.max) / 2;
    const half = Math.max(1, ((cur.max - cur.min) * factor) / 2);
    const min = Math.max(0, Math.floor(mid - half));
    const max = Math.min(full.max, Math.ceil(mid + half));
    onZoom(min <= 0 && max >= full.max ? null : { min, max });
  };
  return (
    <div className="chart-controls" role="group" aria-label="Chart controls">
      <label>
        Smoothing <output>{smoothing.toFixed(2)}</output>
        <input type="range" min={0} max={0.99} step={0.01} value={smoothing} onChange={(e) => onSmoothing(Number(e.target.value))} />
      </label>
      <label className="check">
        <input type="checkbox" checked={logScale} onChange={(e) => onLogScale(e.target.checked)} /> Log scale
      </label>
      <label>
        X axis{" "}
        <select value={xAxis} onChange={(e) => onXAxis(e.target.value as XAxis)}>
          <option value="step">step</option>
          <option value="time">wall time</option>
        </select>
      </label>
      <span className="zoom-buttons">
        <button type="button" onClick={() => zoomBy(0.5)}>
          Zoom in
        </button>
        <button type="button" onClick={() => zoomBy(2)} disabled={!zoom}>
          Zoom out
        </button>
        <button type="button" onClick={() => onZoom(null)} disabled={!zoom}>
          Reset zoom
        </button>
        <span className="muted small" data-testid="zoom-window">
          {zoom ? `steps ${zoom.min}–${zoom.max}` : "all steps"}
        </span>
      </span>
    </div>
  );
}
