// The power of a design: the chance that the one-sided Spearman permutation test at level alpha
// finds a positive association among n models when the true one is rho, given how reliably each
// side is measured. Simulated: latent bivariate normal figures with Pearson correlation
// 2 sin(pi rho / 6) (Spearman rho for normal data), each observed through noise that leaves the
// stated reliability, tested against the exact critical value of rho for n (continuous figures, no
// ties: ties, such as censored MCS values sharing a rank, only lower the power further).
import { Rng } from "../util/rng";
import { EXACT_LIMIT, MONTE_CARLO_PERMUTATIONS, heapSwaps } from "./permutation";
import { averageRanks, spearman } from "./rank";

export const POWER_SIMULATIONS = 20_000;
/** The association a design should be able to see, and the power it should see it with. */
export const TARGET_RHO = 0.8;
export const TARGET_POWER = 0.8;

export interface PowerInput {
  n: number;
  rho: number;
  /** Reliability of each side, in (0, 1]. */
  reliabilityX: number;
  reliabilityY: number;
  alpha?: number;
  simulations?: number;
  seed?: number;
}

const criticalCache = new Map<string, number>();

/**
 * The smallest Spearman rho whose one-sided permutation p-value is <= alpha among n untied values:
 * exact (all n! rankings) up to EXACT_LIMIT, else from a seeded Monte Carlo null.
 */
export function spearmanCritical(n: number, alpha = 0.05): number {
  const key = `${n}/${alpha}`;
  const hit = criticalCache.get(key);
  if (hit !== undefined) return hit;
  // rho = 1 - 6 S / (n (n^2 - 1)) with S = sum (i - p(i))^2, an integer: under the null every
  // ranking p is equally likely, so the tail P(rho >= r) is a tail of S's histogram.
  const maxS = (n * (n * n - 1)) / 3;
  const hist = new Float64Array(maxS + 1);
  let total = 0;
  if (n <= EXACT_LIMIT) {
    const p = Array.from({ length: n }, (_, i) => i);
    let S = 0;
    hist[0]! += 1;
    total = 1;
    heapSwaps(n, (i, j) => {
      const a = p[i]!, b = p[j]!;
      S += (i - b) ** 2 + (j - a) ** 2 - (i - a) ** 2 - (j - b) ** 2;
      p[i] = b;
      p[j] = a;
      hist[S]! += 1;
      total++;
    });
  } else {
    const rng = new Rng(n, "spearman-null");
    const base = Array.from({ length: n }, (_, i) => i);
    for (let k = 0; k < MONTE_CARLO_PERMUTATIONS; k++) {
      const p = rng.shuffle([...base]);
      let S = 0;
      for (let i = 0; i < n; i++) S += (i - p[i]!) ** 2;
      hist[S]! += 1;
      total++;
    }
  }
  // The largest S (smallest rho) whose tail P(S' <= S) stays within alpha.
  let c = Infinity, tail = 0;
  for (let S = 0; S <= maxS; S++) {
    if (hist[S] === 0) continue;
    if ((tail + hist[S]!) / total > alpha) break;
    tail += hist[S]!;
    c = 1 - (6 * S) / (n * (n * n - 1)) - 1e-12;
  }
  criticalCache.set(key, c);
  return c;
}

export interface Power {
  power: number;
  n: number;
  rho: number;
  reliabilityX: number;
  reliabilityY: number;
  alpha: number;
  critical: number;
  simulations: number;
}

export function simulatePower(i: PowerInput): Power {
  const alpha = i.alpha ?? 0.05, sims = i.simulations ?? POWER_SIMULATIONS;
  const critical = spearmanCritical(i.n, alpha);
  const r = 2 * Math.sin((Math.PI * i.rho) / 6);
  const rx = Math.min(1, Math.max(0, i.reliabilityX)), ry = Math.min(1, Math.max(0, i.reliabilityY));
  const rng = new Rng(i.seed ?? 1, "power");
  let hits = 0;
  const x = new Array<number>(i.n), y = new Array<number>(i.n);
  for (let s = 0; s < sims; s++) {
    for (let m = 0; m < i.n; m++) {
      const zx = rng.normal();
      const zy = r * zx + Math.sqrt(1 - r * r) * rng.normal();
      x[m] = Math.sqrt(rx) * zx + Math.sqrt(1 - rx) * rng.normal();
      y[m] = Math.sqrt(ry) * zy + Math.sqrt(1 - ry) * rng.normal();
    }
    if (spearman(averageRanks(x), averageRanks(y)) >= critical) hits++;
  }
  return { power: hits / sims, n: i.n, rho: i.rho, reliabilityX: rx, reliabilityY: ry, alpha, critical, simulations: sims };
}
