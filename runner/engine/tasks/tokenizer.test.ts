import { describe, expect, it } from "vitest";
import { ALPHABET, BOS, EOS, PAD, VOCAB_SIZE, decode, encode, encodeExample, isEncodable } from "./tokenizer";

describe("tokenizer", () => {
  it("reserves 0..2 for PAD/BOS/EOS and has unique characters", () => {
    expect([PAD, BOS, EOS]).toEqual([0, 1, 2]);
    expect(new Set(ALPHABET).size).toBe(ALPHABET.length);
    expect(VOCAB_SIZE).toBe(3 + ALPHABET.length);
    expect(encode("0")).toEqual([3]);
  });

  it("round-trips task text", () => {
    for (const s of ["3+4*2-5=", "4*2=8,3+8=11,11-5=6#6", "VERIFY 3*5+7=22?", "3,7,25>75:", "(50-25)*3", "Y", "N"]) {
      expect(decode(encode(s))).toBe(s);
      expect(isEncodable(s)).toBe(true);
    }
  });

  it("rejects unknown characters and ids", () => {
    expect(() => encode("3x4")).toThrow(/not in the tokenizer alphabet/);
    expect(isEncodable("a")).toBe(false);
    expect(() => decode([VOCAB_SIZE])).toThrow(/outside the vocabulary/);
  });

  it("stops decoding at EOS/PAD and skips BOS", () => {
    const { tokens, responseStart } = encodeExample("1+1=", "1+1=2#2");
    expect(tokens[0]).toBe(BOS);
    expect(tokens[tokens.length - 1]).toBe(EOS);
    expect(decode(tokens.slice(responseStart))).toBe("1+1=2#2");
    expect(decode([...encode("12"), EOS, ...encode("3")])).toBe("12");
    expect(decode([...encode("12"), PAD, PAD])).toBe("12");
  });
});
