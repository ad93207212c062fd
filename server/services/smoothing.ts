/**
 * Exponential moving average as TensorBoard smooths scalars (pure; the run and compare charts call it
 * in the browser). With weight w in [0, 1):
 *   last_i = last_{i-1} * w + (1 - w) * x_i,  last_0 = 0
 *   smoothed_i = last_i / (1 - w^n_i)          (debias: n_i = finite values seen so far)
 * The debias divides out the weight the zero start still holds, so the first value is x_0 itself
 * rather than (1 - w) * x_0. Non-finite values (NaN, ±Infinity) are passed through and do not touch
 * the average, so one bad step leaves a gap instead of poisoning every later point.
 */
export function emaSmooth(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1) (got ${weight})`);
  if (weight === 0) return [...values];
  let last = 0;
  let n = 0;
  return values.map((x) => {
    if (!Number.isFinite(x)) return x;
    last = last * weight + (1 - weight) * x;
    n++;
    return last / (1 - weight ** n);
  });
}
