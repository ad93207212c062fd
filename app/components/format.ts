// Display helpers shared by the runs pages (pure; server and browser).
import { mcsLabel, mcsNotApplicable } from "@/runner/engine/metrics/mcs";

/** A metric value with 3 significant digits; NaN and infinities spelled out. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined) return "–";
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/** MCS as the leaderboard shows it: "42", or "> 200" when the run never collapsed (censored). */
export function formatMcs(step: number | null | undefined, censored: boolean | null | undefined): string {
  return step === null || step === undefined ? "–" : mcsLabel(step, censored === true);
}

/** A run's MCS cell: its text, and what hovering over it explains ("n/a" where MCS does not apply). */
export function mcsCell(run: { rewardMethod: string; mcsStep: number | null; mcsCensored: boolean | null }): { text: string; title?: string } {
  const na = mcsNotApplicable(run.rewardMethod);
  if (na) return { text: "n/a", title: na };
  return { text: formatMcs(run.mcsStep, run.mcsCensored), title: run.mcsCensored ? "Censored: reward accuracy never fell below the threshold" : undefined };
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function formatTime(d: Date | string | null | undefined): string {
  if (!d) return "–";
  const date = typeof d === "string" ? new Date(d) : d;
  return date.toISOString().replace("T", " ").slice(0, 19) + " UTC";
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/** A run's wait as the runs pages show it: "about 12 min left", or "#3 in the queue, starts in about 4 min". */
export function formatWait(w: { secondsLeft: number | null } | { position: number; startsIn: number | null; liveSlots: number }): string {
  if ("secondsLeft" in w) return w.secondsLeft === null ? "time left: after its first step" : `about ${formatDuration(w.secondsLeft * 1000)} left`;
  const where = `#${w.position} in the queue`;
  if (w.liveSlots === 0) return `${where}; no runner is live (start one: npm run runner)`;
  if (w.startsIn === null) return `${where}; start unknown until a run has taken a step to measure a pace from`;
  return w.startsIn < 1 ? `${where}, starts now` : `${where}, starts in about ${formatDuration(w.startsIn * 1000)}`;
}
