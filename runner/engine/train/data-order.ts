// The order in which training prompts are visited: epoch after epoch, each a fresh permutation
// derived from (seed, epoch). The whole state is one cursor, so a checkpoint resumes it exactly.
import { Rng } from "../util/rng";

export class DataOrder {
  private epoch = -1;
  private order: number[] = [];

  constructor(private readonly size: number, private readonly seed: number, public cursor = 0) {
    if (size < 1) throw new Error("DataOrder needs at least one item");
  }

  /** The next `n` item indices. */
  take(n: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < n; i++, this.cursor++) {
      const epoch = Math.floor(this.cursor / this.size);
      if (epoch !== this.epoch) {
        this.epoch = epoch;
        this.order = Rng.derive(this.seed, `data-order/${epoch}`).shuffle(Array.from({ length: this.size }, (_, k) => k));
      }
      out.push(this.order[this.cursor % this.size]!);
    }
    return out;
  }
}
