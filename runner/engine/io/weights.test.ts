import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../util/checksum";
import { WEIGHTS_MAGIC, decodeWeights, encodeWeights, readWeightsFile, writeWeightsFile } from "./weights";

const tensors = [
  { name: "a", shape: [2, 3], data: new Float32Array([1, -2, 3.5, 0, 1e-7, -1e30]) },
  { name: "b", shape: [1], data: new Float32Array([Number.NaN]) },
  { name: "empty", shape: [0, 4], data: new Float32Array(0) },
];

describe("weights file", () => {
  it("has the documented layout", () => {
    const bytes = encodeWeights(tensors, { step: 7 });
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe(WEIGHTS_MAGIC);
    const view = new DataView(bytes.buffer);
    expect(view.getUint32(8, true)).toBe(1);
    const h = view.getUint32(12, true);
    expect((16 + h) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(16, 16 + h)));
    expect(header.metadata).toEqual({ step: 7 });
    expect(header.tensors.map((t: { name: string; offset: number }) => [t.name, t.offset])).toEqual([["a", 0], ["b", 24], ["empty", 28]]);
    // First value of "a", little-endian float32 at the data start.
    expect(view.getFloat32(16 + h, true)).toBe(1);
    expect(view.getFloat32(16 + h + 4, true)).toBe(-2);
    expect(bytes.length).toBe(16 + h + 28);
  });

  it("round-trips exactly, NaN included", () => {
    const out = decodeWeights(encodeWeights(tensors, { note: "x" }));
    expect(out.metadata).toEqual({ note: "x" });
    expect(out.tensors.map((t) => t.name)).toEqual(["a", "b", "empty"]);
    expect(out.tensors[0].shape).toEqual([2, 3]);
    expect([...out.tensors[0].data]).toEqual([...tensors[0].data]);
    expect(Number.isNaN(out.tensors[1].data[0])).toBe(true);
    expect(out.tensors[2].data.length).toBe(0);
  });

  it("rejects bad input when writing", () => {
    expect(() => encodeWeights([{ name: "a", shape: [3], data: new Float32Array(2) }])).toThrow(/needs 3 values/);
    expect(() => encodeWeights([tensors[1], tensors[1]])).toThrow(/duplicate/);
    expect(() => encodeWeights([{ name: "a", shape: [-1], data: new Float32Array(0) }])).toThrow(/invalid shape/);
  });

  it("gives clear errors for bad files", () => {
    const good = encodeWeights(tensors);
    expect(() => decodeWeights(good.subarray(0, 10), "f")).toThrow(/f: too short/);
    const badMagic = good.slice();
    badMagic[0] = 0x58;
    expect(() => decodeWeights(badMagic)).toThrow(/not a weights file/);
    const badVersion = good.slice();
    new DataView(badVersion.buffer).setUint32(8, 9, true);
    expect(() => decodeWeights(badVersion)).toThrow(/version 9/);
    const hugeHeader = good.slice();
    new DataView(hugeHeader.buffer).setUint32(12, 1e9, true);
    expect(() => decodeWeights(hugeHeader)).toThrow(/past the end/);
    expect(() => decodeWeights(good.subarray(0, good.length - 4))).toThrow(/truncated/);
    const trailing = new Uint8Array(good.length + 4);
    trailing.set(good);
    expect(() => decodeWeights(trailing)).toThrow(/unexpected bytes/);
    const badJson = good.slice();
    badJson[16] = 0x7b + 1; // "{" -> "|"
    expect(() => decodeWeights(badJson)).toThrow(/not valid JSON/);
  });

  it("writes files atomically with their checksum and verifies it when reading", () => {
    const dir = mkdtempSync(join(tmpdir(), "weights-"));
    const path = join(dir, "sub", "w.bin");
    const { bytes, sha256 } = writeWeightsFile(path, tensors);
    const onDisk = readFileSync(path);
    expect(onDisk.length).toBe(bytes);
    expect(sha256Hex(onDisk)).toBe(sha256);
    expect(readWeightsFile(path, { sha256 }).tensors.length).toBe(3);
    const flipped = Buffer.from(onDisk);
    flipped[flipped.length - 1] ^= 1;
    writeFileSync(path, flipped);
    expect(() => readWeightsFile(path, { sha256 })).toThrow(/checksum mismatch/);
    expect(() => readWeightsFile(join(dir, "missing.bin"))).toThrow(/cannot read/);
  });
});
