import { createHash } from "node:crypto";
import { createReadStream, readFileSync } from "node:fs";

/** Lower-case hex sha256 of bytes (a string is hashed as its UTF-8 bytes). */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** sha256 of a whole file read at once (fine for model files of a few hundred MB at most). */
export function sha256FileSync(path: string): string {
  return sha256Hex(readFileSync(path));
}

/** sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
