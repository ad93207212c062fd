import { GT_METHOD, MCS_METHOD } from "@/server/services/leaderboard-table";

/** Seeds a probe launches per model and method: a median MCS and a split-seed reliability need several. */
export const PROBE_SEEDS = "1,2,3";

/**
 * "Probe trainability": the base models ticked in a table (checkboxes with form={id}, name "model")
 * go to the launch form, prefilled with a training protocol, majority_vote for MCS, ground_truth for
 * GT gain and three seeds; the user can change anything there before launching. A plain GET form,
 * so it works without JavaScript.
 */
export function ProbeForm({ id, protocolKey, protocolLabel }: { id: string; protocolKey: string; protocolLabel: string }) {
  return (
    <form id={id} method="get" action="/runs/new" className="card probe" aria-label="Probe trainability">
      <input type="hidden" name="protocol" value={protocolKey} />
      <input type="hidden" name="reward" value={MCS_METHOD} />
      <input type="hidden" name="reward" value={GT_METHOD} />
      <input type="hidden" name="seeds" value={PROBE_SEEDS} />
      <input type="hidden" name="name" value={`Probe trainability (${protocolLabel} protocol)`} />
      <button type="submit">Probe trainability</button>{" "}
      <span className="muted">
        of the base models ticked below: opens the launch form with the {protocolLabel} protocol, {MCS_METHOD} (for MCS) and{" "}
        {GT_METHOD} (for GT gain), seeds {PROBE_SEEDS}, and its time estimate; change anything there before launching.
      </span>
    </form>
  );
}

/** A table row's tick box for the probe form `form`. */
export function ProbeCheckbox({ form, model }: { form: string; model: string }) {
  return <input type="checkbox" name="model" value={model} form={form} aria-label={`Probe ${model}`} />;
}
