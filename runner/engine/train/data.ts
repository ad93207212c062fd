// The fixed data every run shares: the task's problems are drawn from one seed, not the run's, so
// every run and every base model is trained and validated on the same prompts and their curves, MCS
// and gains are comparable; and the validation prompts pretraining never sees.

export const DATA_SEED = 20_260_308;

/**
 * Validation prompts excluded from pretraining: as many as any run may evaluate on. Every run's
 * splits are drawn with this many validation prompts, so its training prompts never depend on how
 * many it validates on.
 */
export const HELD_OUT = 1024;
