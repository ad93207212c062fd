import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sha256File, sha256FileSync, sha256Hex } from "./checksum";

describe("checksum", () => {
  it("matches the known sha256 test vectors", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex(new Uint8Array([0x61, 0x62, 0x63]))).toBe(sha256Hex("abc"));
  });

  it("hashes files the same way, streamed or not", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cksum-"));
    const path = join(dir, "f.bin");
    const data = new Uint8Array(200_000).map((_, i) => (i * 31) & 255);
    writeFileSync(path, data);
    expect(sha256FileSync(path)).toBe(sha256Hex(data));
    expect(await sha256File(path)).toBe(sha256Hex(data));
  });
});
