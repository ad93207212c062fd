// Rank correlations: Spearman's rho and Kendall's tau-b, both correct with ties (average ranks;
// tau-b's tie correction). Pure; the permutation test (permutation.ts) and every report use these.

/** Ranks starting at 1; tied values share the average of their ranks. */
export function averageRanks(xs: readonly number[]): number[] {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a]! - xs[b]!);
  const ranks = new Array<number>(xs.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]!] === xs[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = avg;
    i = j + 1;
  }
  return ranks;
}

function checkPairs(name: string, x: readonly number[], y: readonly number[]): void {
  if (x.length !== y.length) throw new Error(`${name}: lengths differ (${x.length} vs ${y.length})`);
  if ([...x, ...y].some((v) => Number.isNaN(v))) throw new Error(`${name}: NaN in input`);
}

/** Pearson correlation; NaN below 2 pairs or when either side is constant. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  checkPairs("pearson", x, y);
  const n = x.length;
  if (n < 2) return Number.NaN;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return Number.NaN;
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * Spearman rank correlation: Pearson correlation of average ranks (correct with ties). NaN below 2
 * pairs or when either side is constant; throws on NaN inputs or mismatched lengths (the caller
 * decides what to leave out).
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  checkPairs("spearman", x, y);
  return pearson(averageRanks(x), averageRanks(y));
}

const sign = (v: number) => (v > 0 ? 1 : v < 0 ? -1 : 0);

/** Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties in x)(n0 - ties in y)); NaN when undefined. */
export function kendallTauB(x: readonly number[], y: readonly number[]): number {
  checkPairs("kendall", x, y);
  const n = x.length;
  let s = 0, tx = 0, ty = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = sign(x[i]! - x[j]!), b = sign(y[i]! - y[j]!);
      s += a * b;
      if (a === 0) tx++;
      if (b === 0) ty++;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const d = Math.sqrt((n0 - tx) * (n0 - ty));
  return d === 0 ? Number.NaN : s / d;
}

/** The standard normal's 97.5% quantile: the half-width of a 95% interval in standard errors. */
const Z_975 = 1.959963984540054;

/**
 * 95% interval of Spearman's rho from n pairs (Bonett & Wright, 2000): Fisher's z = atanh(rho) with
 * variance (1 + rho^2 / 2) / (n - 3), mapped back with tanh. Analytic, so it behaves at the handful
 * of models a leaderboard has, where resampling the models degenerates (with three models every
 * resample with two distinct models has |rho| = 1). null when it is undefined: rho NaN, n below 4,
 * or |rho| = 1 (z is infinite; a perfect ranking of a few models does not make the interval a point).
 */
export function spearmanInterval(rho: number, n: number): { lo: number; hi: number; level: number } | null {
  if (!Number.isFinite(rho) || n < 4 || Math.abs(rho) >= 1) return null;
  const z = Math.atanh(rho);
  const half = Z_975 * Math.sqrt((1 + (rho * rho) / 2) / (n - 3));
  return { lo: Math.tanh(z - half), hi: Math.tanh(z + half), level: 0.95 };
}
