// Page tokens of the read endpoints: opaque to clients, base64url of a small JSON object. Searches
// page by offset into a total order (MLflow's own SQL store does the same); a metric's history pages
// by step (keyset), so a page costs one index range whatever its depth. Each token names its kind,
// so one endpoint's token is refused by another instead of being misread.
import { invalidParameter } from "./errors";

type Token = { offset: number } | { after_step: number };

function encode(t: Token): string {
  return Buffer.from(JSON.stringify(t), "utf8").toString("base64url");
}

function decode(token: string): Record<string, unknown> {
  const shown = token.length > 60 ? `${token.slice(0, 60)}...` : token;
  const fail = (why: string) =>
    invalidParameter(`Invalid page token '${shown}': ${why}. Pass back the next_page_token of the previous response unchanged.`);
  // Both alphabets: MLflow's clients pass tokens through as they got them, other clients may re-encode.
  if (token.length > 200 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(token)) throw fail("could not base64-decode");
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
  } catch {
    throw fail("not a token this server issued");
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw fail("not a token this server issued");
  return parsed as Record<string, unknown>;
}

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

export function offsetToken(offset: number): string {
  return encode({ offset });
}

/** The offset a search token holds; 0 without a token. */
export function readOffsetToken(token: string | undefined): number {
  if (!token) return 0;
  const t = decode(token);
  if (!isCount(t.offset) || Object.keys(t).length !== 1) {
    throw invalidParameter(`Invalid page token '${token.slice(0, 60)}': not a token of this search. Pass back the next_page_token of the previous response unchanged.`);
  }
  return t.offset;
}

export function stepToken(afterStep: number): string {
  return encode({ after_step: afterStep });
}

/** The last step of the previous page (the next page starts after it); -1 without a token. */
export function readStepToken(token: string | undefined): number {
  if (!token) return -1;
  const t = decode(token);
  if (!isCount(t.after_step) || Object.keys(t).length !== 1) {
    throw invalidParameter(`Invalid page token '${token.slice(0, 60)}': not a token of a metric history. Pass back the next_page_token of the previous response unchanged.`);
  }
  return t.after_step;
}
