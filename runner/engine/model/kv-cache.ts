// The sampler's KV cache between decode steps, in one of two homes (graphs.ts `KvCacheAt`):
// - HostKvCache: fixed-capacity buffers in host memory. Each decode call reads them as inputs (no
//   copy on the CPU) and returns only the new token's keys and values, which are written in here.
//   Cheapest on the CPU, where inputs are read in place; on a GPU every call sends the whole cache.
// - DeviceKvCache: the previous call's outputs, kept where the graphs run (GPU buffers under
//   WebGPU) and fed back as the next call's inputs; the graph appends the new column and drops
//   finished rows itself, so only the logits cross to the host.
//
// Legend: n rows still decoding, H heads, D head size, cap host capacity (columns), L filled
// columns. keyMask (n, columns) is true on a row's real (non-pad) positions; rows are left-padded.

import type * as ortTypes from "onnxruntime-node";
import { ort } from "../onnx/session";

type Feeds = Record<string, ortTypes.Tensor>;
type Floats = Float32Array | Float64Array;

export interface KvCache {
  /** Takes the prefill's outputs; `promptMask` (n, L) marks each row's real prompt positions. */
  fromPrefill(out: Feeds, promptMask: Uint8Array, L: number): void;
  /** The cache inputs of the next decode call for batch rows `keep` (null: all rows). */
  decodeFeeds(keep: number[] | null): Feeds;
  /** Takes a decode call's outputs: the token just fed becomes column L. */
  fromDecode(out: Feeds): void;
  /** Frees what the cache holds on a device (a no-op for host memory). */
  release(): void;
}

export interface CacheShape {
  rows: number;
  heads: number;
  headSize: number;
  depth: number;
  dtype: "float32" | "float64";
}

/**
 * Host buffers (n, H, cap, D) per layer; capacity grows in chunks, so attention spans few empty
 * columns. Each buffer is allocated once, at the largest capacity the call can reach, and the
 * graphs read a view of its first n x H x cap x D values: growing re-spaces the rows in place and
 * dropping finished rows moves the kept ones down, so a decode loop allocates nothing (copying
 * into fresh buffers was 5% of a training step's CPU profile, and more than half of its garbage
 * collection). Columns past a row's filled ones may hold stale keys and values: the key mask hides
 * them, a masked score's weight is exactly 0, and the sampled tokens are the same bit for bit.
 */
export class HostKvCache implements KvCache {
  private static readonly GROW = 8;
  private readonly ks: Floats[] = [];
  private readonly vs: Floats[] = [];
  private keyMask = new Uint8Array(0);
  private n: number;
  private cap = 0;
  private L = 0;

  constructor(private readonly s: CacheShape, private readonly maxNewTokens: number) {
    this.n = s.rows;
  }

  private alloc(len: number): Floats {
    return this.s.dtype === "float32" ? new Float32Array(len) : new Float64Array(len);
  }

  fromPrefill(out: Feeds, promptMask: Uint8Array, L: number): void {
    const { heads: H, headSize: D } = this.s;
    // The decode calls feed back at most maxNewTokens - 1 tokens; capacity grows GROW at a time.
    const fed = Math.max(this.maxNewTokens - 1, 1), grow = HostKvCache.GROW;
    this.cap = L + Math.min(grow, fed);
    const maxCap = this.cap + Math.ceil(Math.max(fed - (this.cap - L), 0) / grow) * grow;
    this.L = L;
    this.keyMask = new Uint8Array(this.n * this.cap);
    for (let b = 0; b < this.n; b++) this.keyMask.set(promptMask.subarray(b * L, (b + 1) * L), b * this.cap);
    for (let l = 0; l < this.s.depth; l++) {
      this.ks.push(this.alloc(this.n * H * D * maxCap));
      this.vs.push(this.alloc(this.n * H * D * maxCap));
      this.put(l, out, L, 0);
    }
  }

  decodeFeeds(keep: number[] | null): Feeds {
    if (keep) this.compact(keep);
    const { heads: H, headSize: D, dtype } = this.s;
    const n = this.n, cap = this.cap, size = n * H * cap * D;
    const feeds: Feeds = { keyMask: new ort.Tensor("bool", this.keyMask, [n, cap]) };
    for (let l = 0; l < this.s.depth; l++) {
      feeds[`cache.${l}.k`] = new ort.Tensor(dtype, this.ks[l]!.subarray(0, size) as Float32Array, [n, H, cap, D]);
      feeds[`cache.${l}.v`] = new ort.Tensor(dtype, this.vs[l]!.subarray(0, size) as Float32Array, [n, H, cap, D]);
    }
    return feeds;
  }

  fromDecode(out: Feeds): void {
    if (this.L >= this.cap) this.grow(this.cap + HostKvCache.GROW);
    for (let l = 0; l < this.s.depth; l++) this.put(l, out, 1, this.L);
    for (let i = 0; i < this.n; i++) this.keyMask[i * this.cap + this.L] = 1;
    this.L++;
  }

  release(): void {}

  /** Writes layer l's present rows (row b*S + s is batch row b, position s) at columns at..at+S-1. */
  private put(l: number, out: Feeds, S: number, at: number): void {
    scatterRows(this.ks[l]!, out[`present.${l}.k`]!.data as Floats, this.n, S, this.s.heads, this.s.headSize, this.cap, at);
    scatterRows(this.vs[l]!, out[`present.${l}.v`]!.data as Floats, this.n, S, this.s.heads, this.s.headSize, this.cap, at);
  }

  /** Keeps rows `keep` (ascending): each moves down to its new index, which is never above its old one. */
  private compact(keep: number[]): void {
    const { heads: H, headSize: D } = this.s;
    const cap = this.cap, block = H * cap * D;
    const km = new Uint8Array(keep.length * cap);
    keep.forEach((b, j) => km.set(this.keyMask.subarray(b * cap, (b + 1) * cap), j * cap));
    this.keyMask = km;
    for (const arr of [...this.ks, ...this.vs]) keep.forEach((b, j) => b !== j && arr.copyWithin(j * block, b * block, (b + 1) * block));
    this.n = keep.length;
  }

  /**
   * Capacity ncap with the L filled columns kept: every (row, head) run of cap x D values moves up
   * to its place at stride ncap, the last first, so no run is overwritten before it has moved.
   */
  private grow(ncap: number): void {
    const { heads: H, headSize: D } = this.s;
    const cap = this.cap, L = this.L, runs = this.n * H;
    if (runs * ncap * D > this.ks[0]!.length) throw new Error(`KV cache capacity ${ncap} exceeds its allocation`);
    const km = new Uint8Array(this.n * ncap);
    for (let b = 0; b < this.n; b++) km.set(this.keyMask.subarray(b * cap, b * cap + L), b * ncap);
    this.keyMask = km;
    for (const arr of [...this.ks, ...this.vs]) {
      for (let r = runs - 1; r > 0; r--) arr.copyWithin(r * ncap * D, r * cap * D, (r * cap + L) * D);
    }
    this.cap = ncap;
  }
}

/**
 * Writes rows (row b*S + s holds batch row b, position s; head h at columns h*D..h*D+D-1) into a
 * cache (n, H, cap, D) at columns at..at+S-1.
 */
function scatterRows(dst: Floats, src: Floats, n: number, S: number, H: number, D: number, cap: number, at: number): void {
  const C = H * D;
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < S; s++) {
      const row = (b * S + s) * C;
      for (let h = 0; h < H; h++) {
        const o = ((b * H + h) * cap + at + s) * D, i = row + h * D;
        for (let d = 0; d < D; d++) dst[o + d] = src[i + d]!;
      }
    }
  }
}

/**
 * The previous call's cache outputs, fed back as `past.*`; only the key mask (n, L) is kept on the
 * host. Tensors that live on a GPU are disposed as soon as the next call has consumed them
 * (onnxruntime-node frees a GPU output only on dispose()).
 */
export class DeviceKvCache implements KvCache {
  private past: Feeds = {};
  private keyMask = new Uint8Array(0);
  private n: number;
  private L = 0;

  constructor(private readonly s: CacheShape) {
    this.n = s.rows;
  }

  fromPrefill(out: Feeds, promptMask: Uint8Array, L: number): void {
    this.keyMask = promptMask.slice(0, this.n * L);
    this.L = L;
    this.take(out);
  }

  decodeFeeds(keep: number[] | null): Feeds {
    const sel = keep ?? Array.from({ length: this.n }, (_, i) => i);
    const m = sel.length, L = this.L;
    // The new token's own column L is always attended to.
    const km = new Uint8Array(m * (L + 1));
    for (let j = 0; j < m; j++) {
      km.set(this.keyMask.subarray(sel[j]! * L, (sel[j]! + 1) * L), j * (L + 1));
      km[j * (L + 1) + L] = 1;
    }
    this.keyMask = km;
    this.n = m;
    return {
      ...this.past,
      rows: new ort.Tensor("int64", BigInt64Array.from(sel, (i) => BigInt(i)), [m]),
      keyMask: new ort.Tensor("bool", km, [m, L + 1]),
    };
  }

  fromDecode(out: Feeds): void {
    this.L++;
    this.take(out);
  }

  release(): void {
    for (const t of Object.values(this.past)) t.dispose();
    this.past = {};
  }

  private take(out: Feeds): void {
    this.release();
    for (let l = 0; l < this.s.depth; l++) {
      for (const kv of ["k", "v"]) this.past[`past.${l}.${kv}`] = out[`cache.${l}.${kv}`]!;
    }
  }
}
