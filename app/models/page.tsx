import { ADMISSION, ZOO, admission } from "@/models/zoo";
import { pageData } from "@/server/errors";
import { getPrisma } from "@/server/db/clients";
import { listBaseModels } from "@/server/services/models";
import { DEFAULT_PROTOCOL_KEY } from "@/runner/engine/train/protocol";
import { ProbeCheckbox, ProbeForm } from "../components/probe-form";

const RANKED = new Set(ZOO.filter((r) => r.ranked).map((r) => r.name));

/** The study's admission gates of a ranked zoo model (models/zoo.ts), from its static evaluation. */
function Gates({ name, evaluation }: { name: string; evaluation: unknown }) {
  if (!RANKED.has(name)) return <span className="muted">not ranked</span>;
  const a = admission(evaluation);
  const figures =
    a.passAt1 === null || a.passAt8 === null ? "" : `pass@1 ${percent(a.passAt1)}, pass@8 − pass@1 ${percent(a.passAt8 - a.passAt1)}`;
  return (
    <span data-testid={`gates-${name}`} title={a.reasons.join("; ")}>
      <span className={a.admitted ? "ok" : "bad"}>{a.admitted ? "admitted" : "not admitted"}</span> <span className="muted">{figures}</span>
    </span>
  );
}

export const dynamic = "force-dynamic";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const LABELS: Record<string, string> = {
  vocabSize: "vocabulary",
  greedyAccuracy: "greedy accuracy",
  sampleAccuracy: "sample accuracy (temperature 1)",
  passAtK: "pass@k",
  majAtK: "maj@k",
  k: "k (samples per prompt)",
  samples: "samples in all",
  prompts: "validation prompts",
  selfCertaintyAuroc: "self-certainty AUROC",
  createdAt: "created",
};
const ACCURACIES = new Set(["greedyAccuracy", "sampleAccuracy", "passAtK", "majAtK"]);
const isAccuracy = (name: string) => ACCURACIES.has(name) || /^(pass|maj)@\d+$/.test(name);

function asObject(v: unknown): Record<string, Json> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Json>) : {};
}

const finite = (v: Json | undefined): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const percent = (v: number) => `${(v * 100).toFixed(1)}%`;

/**
 * pass@k or maj@k by k, ascending. Manifests written before the richer evaluation only have the
 * headline figure (passAtK / majAtK at `k`).
 */
function byK(e: Record<string, Json>, field: "passAt" | "majAt", headline: "passAtK" | "majAtK"): Array<[number, number]> {
  const all = Object.entries(asObject(e[field]))
    .map(([k, v]): [number, number | null] => [Number(k), finite(v)])
    .filter((x): x is [number, number] => Number.isInteger(x[0]) && x[1] !== null);
  const k = finite(e.k), v = finite(e[headline]);
  if (all.length === 0 && k !== null && v !== null) all.push([k, v]);
  return all.sort((a, b) => a[0] - b[0]);
}

/** maj@1 is a single sample's correctness: shown only when it is all there is. */
const majorities = (e: Record<string, Json>) => {
  const all = byK(e, "majAt", "majAtK");
  return all.length > 1 ? all.filter(([k]) => k > 1) : all;
};

function FiguresByK({ figures }: { figures: Array<[number, number]> }) {
  if (figures.length === 0) return <span className="muted">–</span>;
  return (
    <>
      {figures.map(([k, v], i) => (
        <span key={k} style={{ whiteSpace: "nowrap" }}>
          {i > 0 && " · "}@{k} {percent(v)}
        </span>
      ))}
    </>
  );
}

/** Fields of the static evaluation that staticEvalRows places itself; anything else follows them. */
const EVAL_FIELDS = new Set(["prompts", "k", "samples", "greedyAccuracy", "sampleAccuracy", "passAtK", "majAtK", "passAt", "majAt", "selfCertaintyAuroc"]);

/** The static evaluation as rows: counts, accuracies, pass@k and maj@k per k, then anything else recorded. */
function staticEvalRows(e: Record<string, Json>): Record<string, Json> {
  const rows: Record<string, Json | undefined> = {
    prompts: e.prompts,
    k: e.k,
    samples: e.samples,
    greedyAccuracy: e.greedyAccuracy,
    sampleAccuracy: e.sampleAccuracy,
    ...Object.fromEntries(byK(e, "passAt", "passAtK").map(([n, v]) => [`pass@${n}`, v])),
    ...Object.fromEntries(byK(e, "majAt", "majAtK").map(([n, v]) => [`maj@${n}`, v])),
    selfCertaintyAuroc: e.selfCertaintyAuroc,
    ...Object.fromEntries(Object.entries(e).filter(([key]) => !EVAL_FIELDS.has(key))),
  };
  return Object.fromEntries(Object.entries(rows).filter((x): x is [string, Json] => x[1] !== undefined));
}

function Value({ name, value }: { name: string; value: Json }) {
  if (value === null) return <span className="muted">–</span>;
  if (typeof value === "number") {
    if (isAccuracy(name)) return <>{percent(value)}</>;
    return <>{Number.isInteger(value) ? value.toLocaleString("en-US") : value.toPrecision(4)}</>;
  }
  if (typeof value === "boolean") return <>{value ? "yes" : "no"}</>;
  if (typeof value === "string") return <>{value}</>;
  if (Array.isArray(value)) return <>{value.map((v) => (typeof v === "object" ? "…" : String(v))).join(", ")}</>;
  return <KeyValues data={value} />;
}

/** A JSON object as a two-column table (nested objects as nested tables), never as raw JSON. */
function KeyValues({ data, testId }: { data: Record<string, Json>; testId?: string }) {
  const entries = Object.entries(data);
  if (entries.length === 0) return <span className="muted">none recorded</span>;
  return (
    <table className="kv" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th>{LABELS[k] ?? k}</th>
            <td>
              <Value name={k} value={v} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function ModelsPage() {
  const models = await pageData("/models", () => listBaseModels(getPrisma()));
  return (
    <>
      <h1>Base models</h1>
      {models.length === 0 ? (
        <p className="muted">No base models. `npm start` seeds the shipped ones from the models/ folder.</p>
      ) : (
        <>
          <ProbeForm id="probe" protocolKey={DEFAULT_PROTOCOL_KEY} protocolLabel="default" />
          <p className="muted">
            To probe under another training protocol, choose it on the <a href="/leaderboard">leaderboard</a> and probe from there.
          </p>
          <table>
            <thead>
              <tr>
                <th>
                  <span className="sr-only">Probe</span>
                </th>
                <th>Name</th>
                <th>Family</th>
                <th>Parameters</th>
                <th>Architecture</th>
                <th>Greedy accuracy</th>
                <th>pass@k</th>
                <th>maj@k</th>
                <th title="How well the model's self-certainty separates its right samples from its wrong ones (0.5: not at all)">
                  Self-certainty AUROC
                </th>
                <th
                  title={`The study's admission gates on the RL task: sampled pass@1 in [${ADMISSION.minPassAt1}, ${ADMISSION.maxPassAt1}], pass@8 at least ${ADMISSION.minHeadroom} above it`}
                >
                  Study gates
                </th>
                <th>Runs</th>
                <th>Description</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => {
                const a = asObject(m.architecture);
                const e = asObject(m.staticEval);
                return (
                  <tr key={m.id}>
                    <td>{m.external ? null : <ProbeCheckbox form="probe" model={m.name} />}</td>
                    <td>
                      <a href={`#model-${m.name}`}>{m.name}</a>
                    </td>
                    <td>{m.family}</td>
                    <td>{m.paramCount.toLocaleString("en-US")}</td>
                    <td>{m.external ? "external" : `width ${a.width}, depth ${a.depth}, heads ${a.heads}, context ${a.context}`}</td>
                    <td>{finite(e.greedyAccuracy) !== null ? percent(e.greedyAccuracy as number) : "–"}</td>
                    <td>
                      <FiguresByK figures={byK(e, "passAt", "passAtK")} />
                    </td>
                    <td>
                      <FiguresByK figures={majorities(e)} />
                    </td>
                    <td title={e.selfCertaintyAuroc === null ? "undefined: every sample was right, or every one wrong" : undefined}>
                      {finite(e.selfCertaintyAuroc) !== null ? (e.selfCertaintyAuroc as number).toFixed(3) : "–"}
                    </td>
                    <td>
                      <Gates name={m.name} evaluation={m.staticEval} />
                    </td>
                    <td>{m.runCount}</td>
                    <td className="muted">{m.description}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {models.map((m) => {
            const prov = asObject(m.provenance);
            const { command, details, ...provRest } = prov;
            return (
              <section key={m.id} id={`model-${m.name}`} className="card" data-testid={`model-${m.name}`}>
                <h2>{m.name}</h2>
                <p className="muted">{m.description}</p>
                <div className="lb-charts">
                  <div>
                    <h3>Manifest</h3>
                    <KeyValues
                      data={{
                        family: m.family,
                        parameters: m.paramCount,
                        ...asObject(m.architecture),
                        "weights sha256": m.checksum ?? null,
                        folder: m.artifactPath ?? null,
                        external: m.external,
                      }}
                      testId="manifest"
                    />
                  </div>
                  <div>
                    <h3>Static evaluation (validation split)</h3>
                    <KeyValues data={staticEvalRows(asObject(m.staticEval))} testId="static-eval" />
                  </div>
                </div>
                <h3>Provenance</h3>
                {typeof command === "string" ? (
                  <p>
                    <code className="cmd" data-testid="provenance-command">
                      {command}
                    </code>
                  </p>
                ) : (
                  <p className="muted">No command recorded.</p>
                )}
                <KeyValues data={provRest} />
                {details && typeof details === "object" && !Array.isArray(details) && (
                  <details>
                    <summary>Training details</summary>
                    <KeyValues data={details} />
                  </details>
                )}
              </section>
            );
          })}
        </>
      )}
    </>
  );
}
