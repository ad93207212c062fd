// Settings of supervised pretraining, the way the project makes its own base models. The knobs are
// the ones that shape a model's prior: size, amount of pretraining, and data quality.
import { z } from "zod";
import { TASK_NAMES } from "../tasks/registry";

export const pretrainConfigSchema = z
  .object({
    task: z.enum(TASK_NAMES).default("arith"),
    /** Task difficulty level: what the model is evaluated on, and RL trains on by default (the task's default when omitted). */
    difficulty: z.number().int().min(1).max(5).optional(),
    /**
     * An exposure mix: most examples come from this (easier) level, and only `exposure` of them from
     * `difficulty`. A model then meets the level it is evaluated on as a small share of its data,
     * which decides how much RL can elicit there.
     */
    baseLevel: z.number().int().min(1).max(5).optional(),
    /** Share of examples (solved and verification alike) at `difficulty` when `baseLevel` is set, in [0, 1]. */
    exposure: z.number().min(0).max(1).optional(),
    steps: z.number().int().min(1).max(1_000_000).default(1500),
    batchSize: z.number().int().min(1).max(4096).default(64),
    lr: z.number().gt(0).max(1).default(2e-3),
    warmupSteps: z.number().int().min(0).default(100),
    weightDecay: z.number().min(0).max(1).default(0.01),
    width: z.number().int().min(8).max(2048).default(64),
    depth: z.number().int().min(1).max(48).default(2),
    heads: z.number().int().min(1).max(64).default(4),
    /** Context in tokens (the task's recommended context when omitted). */
    context: z.number().int().min(16).max(1024).optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(1),
    /** Share of pretraining examples that are `VERIFY ...?` -> Y/N, so self_verification has a verifier. */
    verificationShare: z.number().min(0).max(1).default(0.25),
    /** Confidently-wrong data: `kind:rate`, e.g. `carry_error:0.3` (kinds depend on the task). */
    corruption: z
      .string()
      .regex(/^[a-z_]+:(0(\.\d+)?|1(\.0+)?)$/, "expected kind:rate, e.g. carry_error:0.3")
      .optional(),
    /** Prompts the examples are drawn from (a small pool makes an undertrained, narrow prior). */
    poolSize: z.number().int().min(32).max(1 << 16).default(16_384),
    family: z.string().min(1).default("arith-gpt"),
    description: z.string().default(""),
    /** Samples per validation prompt for the static evaluation: its headline pass@k / maj@k. */
    evalK: z.number().int().min(1).max(64).default(64),
    threads: z.number().int().min(0).max(256).default(0),
  })
  .strict()
  .refine((c) => c.width % c.heads === 0, { message: "width must be a multiple of heads", path: ["heads"] })
  .refine((c) => (c.baseLevel === undefined) === (c.exposure === undefined), { message: "baseLevel and exposure go together", path: ["exposure"] });

export type PretrainConfig = z.infer<typeof pretrainConfigSchema>;
