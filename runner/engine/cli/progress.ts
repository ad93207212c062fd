// One progress line per step on stderr, so stdout can carry data.
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

export class ProgressLine {
  private readonly start = performance.now();

  /** `first` is the step counting starts from (a resumed run's checkpoint step). */
  constructor(
    private readonly total: number,
    private readonly first = 0,
    private readonly out: NodeJS.WritableStream = process.stderr,
  ) {}

  update(done: number, fields: Record<string, number | undefined>): void {
    const elapsed = (performance.now() - this.start) / 1000;
    const rate = elapsed / Math.max(done - this.first, 1);
    const parts = Object.entries(fields)
      .filter(([, v]) => v !== undefined && Number.isFinite(v))
      .map(([k, v]) => `${k} ${Math.abs(v!) >= 100 ? v!.toFixed(0) : v!.toFixed(3)}`);
    this.out.write(`step ${done}/${this.total}  ${parts.join("  ")}  ${rate.toFixed(2)}s/step  eta ${formatDuration(rate * (this.total - done))}\n`);
  }
}
