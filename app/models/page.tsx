import { getPrisma } from "@/server/db/prisma";
import { listBaseModels } from "@/server/services/models";

export const dynamic = "force-dynamic";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const LABELS: Record<string, string> = {
  vocabSize: "vocabulary",
  greedyAccuracy: "greedy accuracy",
  passAtK: "pass@k",
  majAtK: "maj@k",
  k: "k (samples)",
  prompts: "validation prompts",
  auroc: "confidence AUROC",
  createdAt: "created",
};
const ACCURACIES = new Set(["greedyAccuracy", "passAtK", "majAtK", "auroc"]);

function asObject(v: unknown): Record<string, Json> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Json>) : {};
}

function Value({ name, value }: { name: string; value: Json }) {
  if (value === null) return <span className="muted">–</span>;
  if (typeof value === "number") {
    if (ACCURACIES.has(name)) return <>{(value * 100).toFixed(1)}%</>;
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
  const models = await listBaseModels(getPrisma());
  return (
    <>
      <h1>Base models</h1>
      {models.length === 0 ? (
        <p className="muted">No base models. `npm start` seeds the shipped ones from the models/ folder.</p>
      ) : (
        <>
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Family</th>
                <th>Parameters</th>
                <th>Architecture</th>
                <th>Greedy accuracy</th>
                <th>pass@k</th>
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
                    <td>
                      <a href={`#model-${m.name}`}>{m.name}</a>
                    </td>
                    <td>{m.family}</td>
                    <td>{m.paramCount.toLocaleString("en-US")}</td>
                    <td>{m.external ? "external" : `width ${a.width}, depth ${a.depth}, heads ${a.heads}, context ${a.context}`}</td>
                    <td>{typeof e.greedyAccuracy === "number" ? `${(e.greedyAccuracy * 100).toFixed(1)}%` : "–"}</td>
                    <td>{typeof e.passAtK === "number" ? `${(e.passAtK * 100).toFixed(1)}% (k=${e.k ?? "?"})` : "–"}</td>
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
                    <KeyValues data={asObject(m.staticEval)} testId="static-eval" />
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
