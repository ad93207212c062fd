/**
 * The leaderboard's one input: which training protocol to show, as it arrives from the URL or tRPC.
 * A key is "default" or the canonical JSON of a protocol's differing settings
 * (runner/engine/train/protocol.ts); a malformed value falls back to the default protocol.
 * Pure: safe in the browser bundle.
 */
import { z } from "zod";
import { unstorableTextProblem } from "./storable-text";

export const leaderboardQuerySchema = z.object({
  protocol: z
    .preprocess(
      (v) => (v === "" || Array.isArray(v) || (typeof v === "string" && unstorableTextProblem(v)) ? undefined : v),
      z.string().max(4000).optional(),
    )
    .catch(undefined),
});

export type LeaderboardQuery = z.output<typeof leaderboardQuerySchema>;
