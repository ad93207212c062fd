/**
 * Downsampling of one metric series for charts (pure; used by the server and mirrored in SQL by
 * metric-series.ts, whose test checks both give the same points).
 *
 * The step range [first step, last step] is cut into `floor(maxPoints / 4)` equal-width buckets by
 * step; each bucket keeps its first and last point (by step) and the points holding its smallest and
 * largest finite value (ties: the earliest step). So a bucket sends at most 4 points, a one-step spike
 * survives, and the result never exceeds `maxPoints`. NaN and ±Infinity never win min or max (they
 * would otherwise hide the real extremes: Postgres and JS both compare NaN oddly); they are kept
 * only as a bucket's first or last point, and the chart leaves a gap for them.
 */
export interface SeriesPoint {
  step: number;
  value: number;
  /** Milliseconds since the epoch (for the wall-time axis). */
  wallTime: number;
}

/** The bucket a step falls in: integer arithmetic, identical to the SQL version. */
export function bucketOf(step: number, lo: number, hi: number, buckets: number): number {
  return Math.floor(((step - lo) * buckets) / (hi - lo + 1));
}

export function downsample<P extends SeriesPoint>(points: readonly P[], maxPoints = 1000): P[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 4) throw new RangeError(`maxPoints must be an integer >= 4 (got ${maxPoints})`);
  const sorted = [...points].sort((a, b) => a.step - b.step);
  if (sorted.length <= maxPoints) return sorted;
  const buckets = Math.floor(maxPoints / 4);
  const lo = sorted[0].step;
  const hi = sorted[sorted.length - 1].step;
  const kept: P[] = [];
  let i = 0;
  while (i < sorted.length) {
    const b = bucketOf(sorted[i].step, lo, hi, buckets);
    let j = i;
    let min: P | null = null;
    let max: P | null = null;
    while (j < sorted.length && bucketOf(sorted[j].step, lo, hi, buckets) === b) {
      const p = sorted[j];
      if (Number.isFinite(p.value)) {
        if (min === null || p.value < min.value) min = p;
        if (max === null || p.value > max.value) max = p;
      }
      j++;
    }
    const chosen = new Set<P>([sorted[i], sorted[j - 1]]);
    if (min) chosen.add(min);
    if (max) chosen.add(max);
    kept.push(...[...chosen].sort((a, b) => a.step - b.step));
    i = j;
  }
  return kept;
}
