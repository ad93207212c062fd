/**
 * The weights file: named float32 tensors in one binary file.
 *
 * Layout (all integers little-endian):
 *   bytes 0..7    magic "URLVRWTS"
 *   bytes 8..11   uint32 format version (1)
 *   bytes 12..15  uint32 H, the byte length of the header
 *   bytes 16..16+H  header: UTF-8 JSON, padded with spaces so the data starts at a multiple of 8:
 *                 { "tensors": [{ "name", "shape": number[], "offset", "bytes" }...], "metadata": {...} }
 *                 offsets are in bytes from the start of the data section
 *   data          the tensors' float32 values, little-endian, row-major, back to back in header order
 * The reader checks every one of these (magic, version, sizes, offsets, shapes, duplicate names,
 * trailing bytes) and names the file and the problem in its error.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { sha256Hex } from "../util/checksum";

export const WEIGHTS_MAGIC = "URLVRWTS";
export const WEIGHTS_VERSION = 1;
const PREFIX_BYTES = 16;
const DATA_ALIGN = 8;

export interface TensorEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export interface WeightsContent {
  readonly tensors: TensorEntry[];
  readonly metadata: Record<string, unknown>;
}

interface HeaderTensor {
  name: string;
  shape: number[];
  offset: number;
  bytes: number;
}

export class WeightsFormatError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = "WeightsFormatError";
  }
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function validShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 0);
}

export function encodeWeights(tensors: readonly TensorEntry[], metadata: Record<string, unknown> = {}): Uint8Array {
  const names = new Set<string>();
  const header: HeaderTensor[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`duplicate tensor name ${t.name}`);
    names.add(t.name);
    if (!validShape(t.shape)) throw new Error(`tensor ${t.name} has an invalid shape ${JSON.stringify(t.shape)}`);
    if (numel(t.shape) !== t.data.length) {
      throw new Error(`tensor ${t.name}: shape [${t.shape}] needs ${numel(t.shape)} values, data has ${t.data.length}`);
    }
    header.push({ name: t.name, shape: [...t.shape], offset, bytes: t.data.length * 4 });
    offset += t.data.length * 4;
  }
  let json = JSON.stringify({ tensors: header, metadata });
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (DATA_ALIGN - ((PREFIX_BYTES + headerBytes.length) % DATA_ALIGN)) % DATA_ALIGN;
  if (pad > 0) {
    json += " ".repeat(pad);
    headerBytes = enc.encode(json);
  }
  const dataStart = PREFIX_BYTES + headerBytes.length;
  const out = new Uint8Array(dataStart + offset);
  const view = new DataView(out.buffer);
  out.set(enc.encode(WEIGHTS_MAGIC), 0);
  view.setUint32(8, WEIGHTS_VERSION, true);
  view.setUint32(12, headerBytes.length, true);
  out.set(headerBytes, PREFIX_BYTES);
  for (let k = 0; k < tensors.length; k++) {
    const data = tensors[k].data;
    const at = dataStart + header[k].offset;
    if (HOST_LITTLE_ENDIAN) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    else for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
  }
  return out;
}

export function decodeWeights(bytes: Uint8Array, source = "weights"): WeightsContent {
  const fail = (msg: string): never => {
    throw new WeightsFormatError(source, msg);
  };
  if (bytes.length < PREFIX_BYTES) fail(`too short (${bytes.length} bytes) to be a weights file`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== WEIGHTS_MAGIC) fail(`not a weights file (magic ${JSON.stringify(magic)}, expected ${WEIGHTS_MAGIC})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== WEIGHTS_VERSION) fail(`unsupported weights format version ${version} (this engine reads ${WEIGHTS_VERSION})`);
  const headerLength = view.getUint32(12, true);
  const dataStart = PREFIX_BYTES + headerLength;
  if (dataStart > bytes.length) fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`);
  let header: { tensors?: unknown; metadata?: unknown };
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(PREFIX_BYTES, dataStart)));
  } catch (e) {
    return fail(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!Array.isArray(header.tensors)) return fail("header has no tensors list");
  const metadata = header.metadata ?? {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) fail("header metadata is not an object");
  const tensors: TensorEntry[] = [];
  const names = new Set<string>();
  let expectedOffset = 0;
  for (const raw of header.tensors as HeaderTensor[]) {
    const name = raw?.name;
    if (typeof name !== "string" || name.length === 0) fail("a tensor has no name");
    if (names.has(name)) fail(`duplicate tensor ${name}`);
    names.add(name);
    if (!validShape(raw.shape)) fail(`tensor ${name} has an invalid shape ${JSON.stringify(raw.shape)}`);
    if (raw.offset !== expectedOffset) fail(`tensor ${name} is at offset ${raw.offset}, expected ${expectedOffset}`);
    if (raw.bytes !== numel(raw.shape) * 4) fail(`tensor ${name}: ${raw.bytes} bytes do not match shape [${raw.shape}]`);
    const at = dataStart + raw.offset;
    if (at + raw.bytes > bytes.length) fail(`tensor ${name} runs past the end of the file (truncated?)`);
    const data = new Float32Array(raw.bytes / 4);
    if (HOST_LITTLE_ENDIAN) {
      new Uint8Array(data.buffer).set(bytes.subarray(at, at + raw.bytes));
    } else {
      for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(at + 4 * i, true);
    }
    tensors.push({ name, shape: raw.shape, data });
    expectedOffset += raw.bytes;
  }
  if (dataStart + expectedOffset !== bytes.length) {
    fail(`${bytes.length - dataStart - expectedOffset} unexpected bytes after the last tensor`);
  }
  return { tensors, metadata: metadata as Record<string, unknown> };
}

/** Writes atomically (temp file + rename) and returns the file's size and sha256. */
export function writeWeightsFile(
  path: string,
  tensors: readonly TensorEntry[],
  metadata: Record<string, unknown> = {},
): { bytes: number; sha256: string } {
  const data = encodeWeights(tensors, metadata);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  return { bytes: data.length, sha256: sha256Hex(data) };
}

/** Reads and decodes; with `sha256`, first checks the file against it. */
export function readWeightsFile(path: string, options: { sha256?: string } = {}): WeightsContent & { sha256: string } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new WeightsFormatError(path, `cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  const sha256 = sha256Hex(bytes);
  if (options.sha256 !== undefined && options.sha256 !== sha256) {
    throw new WeightsFormatError(path, `checksum mismatch: file has sha256 ${sha256}, expected ${options.sha256} (corrupted or replaced)`);
  }
  return { ...decodeWeights(bytes, path), sha256 };
}
