"use client";
/**
 * The launch form. Native inputs in fieldsets with labels, so it works from the keyboard alone; the
 * server validates with the shared schema (server/schemas/launch.ts) and its messages come back as
 * tRPC `data.fieldErrors`, shown next to each field and summarised at the top. The preview (grid size,
 * rollouts, tokens) updates live from the same numbers; its wall time comes from the server, which
 * knows the measured paces and the queue (server/services/timing.ts).
 */
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useMemo, useRef, useState } from "react";
import { HYPERPARAMETERS, TRAIN_DEFAULTS, estimateCost, gridSize, type HyperparameterKey, type LaunchInput, type LaunchPrefill } from "@/server/schemas/launch";
import { useTRPC } from "../../trpc/client";
import { formatCount, formatDuration } from "../../components/format";

interface ModelOption {
  id: string;
  name: string;
  family: string;
  description: string;
  paramCount: number;
  external: boolean;
}
interface RewardOption {
  name: string;
  kind: string;
  description: string;
}

type FieldErrors = Partial<Record<string, string[]>>;

/** "32, 1024" -> [32, 1024]; a token that is not a number becomes NaN so the schema names it. */
function numberList(text: string): number[] {
  return text
    .split(/[\s,;]+/)
    .filter(Boolean)
    .map((t) => (/^-?\d+(\.\d+)?$/.test(t) ? Number(t) : Number.NaN));
}
const toNumber = (text: string) => (text.trim() === "" ? Number.NaN : Number(text));

const FIELD_LABELS: Record<string, string> = {
  name: "Experiment name",
  notes: "Notes",
  tags: "Tags",
  baseModelIds: "Base models",
  rewardMethods: "Reward methods",
  task: "Task",
  datasetSizes: "Dataset sizes",
  seeds: "Seeds",
  grid: "Grid",
  ...Object.fromEntries(HYPERPARAMETERS.map((h) => [h.key, h.label])),
};
/** Where the error summary's links jump to. */
const fieldId = (k: string) => `field-${k}`;

function Errors({ name, errors }: { name: string; errors: FieldErrors }) {
  const list = errors[name];
  if (!list?.length) return null;
  return (
    <p className="field-error" id={`${fieldId(name)}-error`}>
      {list.join(" · ")}
    </p>
  );
}

function HyperField({
  h,
  value,
  onChange,
  errors,
}: {
  h: (typeof HYPERPARAMETERS)[number];
  value: string;
  onChange: (v: string) => void;
  errors: FieldErrors;
}) {
  return (
    <div className="hyper-field">
      <label htmlFor={fieldId(h.key)}>{h.label}</label>
      <input
        id={fieldId(h.key)}
        name={h.key}
        type="number"
        step="any"
        inputMode="decimal"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={errors[h.key]?.length ? `${fieldId(h.key)}-error` : `${fieldId(h.key)}-help`}
        aria-invalid={errors[h.key]?.length ? true : undefined}
      />
      <span className="help" id={`${fieldId(h.key)}-help`}>
        {h.help} Default {String(TRAIN_DEFAULTS[h.key])}.
      </span>
      <Errors name={h.key} errors={errors} />
    </div>
  );
}

export function LaunchForm({
  models,
  rewardMethods,
  tasks,
  prefill,
}: {
  models: ModelOption[];
  rewardMethods: RewardOption[];
  tasks: string[];
  /** Starting values from a link (the leaderboard's "Probe trainability"); all stay editable. */
  prefill: LaunchPrefill;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const summaryRef = useRef<HTMLDivElement>(null);
  const launchable = models.filter((m) => !m.external);
  const [name, setName] = useState(prefill.name ?? "");
  const [notes, setNotes] = useState("");
  const [tags, setTags] = useState("");
  const [modelIds, setModelIds] = useState<string[]>(() => {
    const named = launchable.filter((m) => prefill.modelNames.includes(m.name)).map((m) => m.id);
    return named.length > 0 ? named : launchable.length === 1 ? [launchable[0].id] : [];
  });
  const [rewards, setRewards] = useState<string[]>(prefill.rewardMethods ?? ["majority_vote"]);
  const [task, setTask] = useState<string>(prefill.task ?? TRAIN_DEFAULTS.task);
  const [datasetSizes, setDatasetSizes] = useState(prefill.datasetSizes ?? "");
  const [seeds, setSeeds] = useState(prefill.seeds ?? String(TRAIN_DEFAULTS.seed));
  const [hyper, setHyper] = useState<Record<HyperparameterKey, string>>(
    () => Object.fromEntries(HYPERPARAMETERS.map((h) => [h.key, String(prefill.hyper[h.key] ?? TRAIN_DEFAULTS[h.key])])) as Record<HyperparameterKey, string>,
  );
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState("");

  const input: LaunchInput = useMemo(
    () => ({
      name,
      notes,
      tags: tags.split(",").map((t) => t.trim()).filter(Boolean),
      baseModelIds: modelIds,
      rewardMethods: rewards as LaunchInput["rewardMethods"],
      task: task as LaunchInput["task"],
      datasetSizes: numberList(datasetSizes),
      seeds: numberList(seeds),
      ...(Object.fromEntries(HYPERPARAMETERS.map((h) => [h.key, toNumber(hyper[h.key])])) as Record<HyperparameterKey, number>),
    }),
    [name, notes, tags, modelIds, rewards, task, datasetSizes, seeds, hyper],
  );
  const runs = gridSize({ ...input, datasetSizes: input.datasetSizes ?? [] });
  const cost = estimateCost({
    runs,
    steps: input.steps ?? Number.NaN,
    promptsPerStep: input.promptsPerStep ?? Number.NaN,
    groupSize: input.groupSize ?? Number.NaN,
    valEvery: input.valEvery ?? Number.NaN,
    valSize: input.valSize ?? Number.NaN,
    fullValSize: input.fullValSize ?? Number.NaN,
    valK: input.valK ?? Number.NaN,
    maxNewTokens: input.maxNewTokens ?? Number.NaN,
  });

  const runsPerModel = input.rewardMethods.length * Math.max(1, input.datasetSizes?.length ?? 0) * input.seeds.length;
  const estimateInput = {
    baseModelIds: input.baseModelIds,
    runsPerModel,
    steps: input.steps ?? Number.NaN,
    rolloutsPerStep: (input.groupSize ?? Number.NaN) * (input.promptsPerStep ?? Number.NaN),
  };
  const estimable = estimateInput.baseModelIds.length > 0 && Number.isInteger(estimateInput.steps) && estimateInput.steps > 0 && Number.isInteger(estimateInput.rolloutsPerStep) && estimateInput.rolloutsPerStep > 0;
  const estimate = useQuery({ ...trpc.launch.estimate.queryOptions(estimateInput), enabled: estimable, placeholderData: keepPreviousData });

  const launch = useMutation(
    trpc.launch.create.mutationOptions({
      onSuccess: (res) => router.push(`/runs?experiment=${res.experimentId}`),
      onError: (err) => {
        const fe = (err.data as { fieldErrors?: FieldErrors | null } | undefined)?.fieldErrors ?? {};
        setErrors(fe);
        setFormError(Object.keys(fe).length ? "" : err.message);
        // Move focus to the summary so keyboard and screen-reader users land on the problems.
        requestAnimationFrame(() => summaryRef.current?.focus());
      },
    }),
  );

  const toggle = (list: string[], set: (v: string[]) => void, value: string) =>
    set(list.includes(value) ? list.filter((v) => v !== value) : [...list, value]);
  const invalid = (k: string) => (errors[k]?.length ? { "aria-invalid": true, "aria-describedby": `${fieldId(k)}-error` } : {});
  const errorKeys = Object.keys(errors).filter((k) => errors[k]?.length);

  return (
    <form
      className="launch-form"
      noValidate
      aria-label="Launch runs"
      onSubmit={(e) => {
        e.preventDefault();
        setErrors({});
        setFormError("");
        launch.mutate(input);
      }}
    >
      <div ref={summaryRef} tabIndex={-1} className={errorKeys.length || formError ? "error-summary" : undefined} role="alert">
        {errorKeys.length > 0 ? (
          <>
            <b>Nothing was launched. Fix these fields:</b>
            <ul>
              {errorKeys.map((k) => (
                <li key={k}>
                  <a href={`#${fieldId(k)}`}>{FIELD_LABELS[k] ?? k}</a>: {errors[k]!.join(" · ")}
                </li>
              ))}
            </ul>
          </>
        ) : formError ? (
          <b>Nothing was launched: {formError}</b>
        ) : null}
      </div>

      {prefill.notes.length > 0 && (
        <ul className="card prefill-notes" data-testid="prefill-notes">
          {prefill.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}

      <fieldset>
        <legend>Experiment</legend>
        <label htmlFor={fieldId("name")}>Experiment name</label>
        <input id={fieldId("name")} name="name" value={name} onChange={(e) => setName(e.target.value)} {...invalid("name")} />
        <Errors name="name" errors={errors} />
        <label htmlFor={fieldId("notes")}>Notes</label>
        <textarea id={fieldId("notes")} name="notes" rows={2} value={notes} onChange={(e) => setNotes(e.target.value)} {...invalid("notes")} />
        <Errors name="notes" errors={errors} />
        <label htmlFor={fieldId("tags")}>Tags (comma-separated)</label>
        <input id={fieldId("tags")} name="tags" value={tags} onChange={(e) => setTags(e.target.value)} {...invalid("tags")} />
        <Errors name="tags" errors={errors} />
      </fieldset>

      <fieldset id={fieldId("baseModelIds")} {...invalid("baseModelIds")}>
        <legend>Base models</legend>
        {models.length === 0 ? <p className="muted">No base models are registered (npm start seeds the shipped ones).</p> : null}
        {models.map((m) => (
          <label key={m.id} className="check">
            <input
              type="checkbox"
              name="baseModelIds"
              value={m.id}
              disabled={m.external}
              checked={modelIds.includes(m.id)}
              onChange={() => toggle(modelIds, setModelIds, m.id)}
            />
            <span>
              <b>{m.name}</b> <span className="muted">{m.family} · {formatCount(m.paramCount)} parameters{m.external ? " · external (reports through the ingestion API)" : ""}</span>
              {m.description ? <span className="help">{m.description}</span> : null}
            </span>
          </label>
        ))}
        <Errors name="baseModelIds" errors={errors} />
      </fieldset>

      <fieldset id={fieldId("rewardMethods")} {...invalid("rewardMethods")}>
        <legend>Reward methods</legend>
        {rewardMethods.map((r) => (
          <label key={r.name} className="check">
            <input type="checkbox" name="rewardMethods" value={r.name} checked={rewards.includes(r.name)} onChange={() => toggle(rewards, setRewards, r.name)} />
            <span>
              <b>{r.name}</b> <span className="muted">({r.kind})</span>
              <span className="help">{r.description}</span>
            </span>
          </label>
        ))}
        <Errors name="rewardMethods" errors={errors} />
      </fieldset>

      <fieldset id={fieldId("task")}>
        <legend>Task</legend>
        {tasks.map((t) => (
          <label key={t} className="check">
            <input type="radio" name="task" value={t} checked={task === t} onChange={() => setTask(t)} />
            <span>{t}</span>
          </label>
        ))}
        <Errors name="task" errors={errors} />
      </fieldset>

      <fieldset>
        <legend>Grid</legend>
        <label htmlFor={fieldId("datasetSizes")}>
          Dataset sizes (training prompts, comma-separated, 32 to 65536; empty: fresh prompts every step, as the paper trains)
        </label>
        <input
          id={fieldId("datasetSizes")}
          name="datasetSizes"
          value={datasetSizes}
          placeholder="fresh prompts (steps × prompts per step)"
          onChange={(e) => setDatasetSizes(e.target.value)}
          {...invalid("datasetSizes")}
        />
        <Errors name="datasetSizes" errors={errors} />
        <label htmlFor={fieldId("seeds")}>Seeds (comma-separated)</label>
        <input id={fieldId("seeds")} name="seeds" value={seeds} onChange={(e) => setSeeds(e.target.value)} {...invalid("seeds")} />
        <Errors name="seeds" errors={errors} />
      </fieldset>

      <fieldset className="hyper">
        <legend>Hyperparameters</legend>
        {HYPERPARAMETERS.filter((h) => !("advanced" in h)).map((h) => (
          <HyperField key={h.key} h={h} value={hyper[h.key]} onChange={(v) => setHyper({ ...hyper, [h.key]: v })} errors={errors} />
        ))}
        <details className="hyper-advanced" open={HYPERPARAMETERS.some((h) => "advanced" in h && (prefill.hyper[h.key] !== undefined || errors[h.key]?.length))}>
          <summary>Sampling, optimiser and evaluation details</summary>
          {HYPERPARAMETERS.filter((h) => "advanced" in h).map((h) => (
            <HyperField key={h.key} h={h} value={hyper[h.key]} onChange={(v) => setHyper({ ...hyper, [h.key]: v })} errors={errors} />
          ))}
        </details>
      </fieldset>

      <section className="card preview" aria-label="Preview" aria-live="polite" id={fieldId("grid")}>
        <h2>Preview</h2>
        <p data-testid="grid-preview">
          <b>{runs}</b> run{runs === 1 ? "" : "s"} = {input.baseModelIds.length} model(s) × {input.rewardMethods.length} reward method(s) ×{" "}
          {input.datasetSizes?.length ? `${input.datasetSizes.length} dataset size(s)` : "fresh prompts"} × {input.seeds.length} seed(s)
        </p>
        <table>
          <tbody>
            <tr>
              <th scope="row">Training rollouts</th>
              <td>
                {formatCount(cost.rollouts)} <span className="muted">(runs × steps × prompts per step × group size)</span>
              </td>
            </tr>
            <tr>
              <th scope="row">Validation samples</th>
              <td>
                {formatCount(cost.validationSamples)}{" "}
                <span className="muted">
                  ({TRAIN_DEFAULTS.valK + 1} per prompt: the full evaluation at step 0 and the last three validations, the light one in
                  between)
                </span>
              </td>
            </tr>
            <tr>
              <th scope="row">Wall time</th>
              <td data-testid="launch-estimate">
                {!estimable ? (
                  <span className="muted">pick base models and steps</span>
                ) : estimate.isError && !estimate.data ? (
                  <span className="muted">unknown (check the fields above)</span>
                ) : !estimate.data ? (
                  <span className="muted">estimating…</span>
                ) : estimate.data.seconds === null ? (
                  <span>
                    unknown{" "}
                    <span className="muted">
                      ({estimate.data.slots === 0 ? "no runner is live: start one with npm run runner" : "no run has taken a step yet to measure a pace from"})
                    </span>
                  </span>
                ) : (
                  <span>
                    about <b>{formatDuration(estimate.data.seconds * 1000)}</b> until the last run finishes{" "}
                    <span className="muted">
                      ({formatDuration((estimate.data.workSeconds ?? 0) * 1000)} of run time on {estimate.data.slots} live runner slot
                      {estimate.data.slots === 1 ? "" : "s"}, after the runs queued now)
                    </span>
                  </span>
                )}
                {estimable && estimate.data && (
                  <ul className="muted small" data-testid="launch-estimate-basis">
                    {estimate.data.basis.map((b) => (
                      <li key={b}>{b}</li>
                    ))}
                  </ul>
                )}
              </td>
            </tr>
            <tr>
              <th scope="row">Sampled tokens, at most</th>
              <td>
                {formatCount(cost.tokens)} <span className="muted">(rollouts and validation samples × {TRAIN_DEFAULTS.maxNewTokens} new tokens)</span>
              </td>
            </tr>
          </tbody>
        </table>
        <Errors name="grid" errors={errors} />
      </section>

      <button type="submit" className="primary" disabled={launch.isPending}>
        {launch.isPending ? "Launching…" : `Launch ${runs} run${runs === 1 ? "" : "s"}`}
      </button>
    </form>
  );
}
