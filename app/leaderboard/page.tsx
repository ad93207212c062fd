import { getPrisma } from "@/server/db/clients";
import { pageData } from "@/server/errors";
import { getLeaderboard, type LeaderboardRow, type PredictorStats } from "@/server/services/leaderboard";
import { leaderboardQuerySchema } from "@/server/schemas/leaderboard";
import { LeaderboardScatter, type ScatterPoint } from "./scatter";
import { ProbeCheckbox, ProbeForm } from "../components/probe-form";

/** A figure's run count, with the runs of this protocol still queued or running. */
function Runs({ done, pending, extra }: { done: number; pending: number; extra?: React.ReactNode }) {
  return (
    <>
      {done}
      {extra}
      {pending > 0 && (
        <span className="muted" data-testid="pending">
          {" "}
          (+{pending} pending)
        </span>
      )}
    </>
  );
}

export const dynamic = "force-dynamic";

const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);
const pts = (x: number | null) => (x === null ? "–" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}`);
const se = (x: number | null) => (x === null ? "" : ` ± ${(x * 100).toFixed(1)}`);
const num = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? "–" : x.toFixed(d));
const pval = (p: number | null) => (p === null ? "–" : p < 0.001 ? "< 0.001" : p.toFixed(3));

function GainCell({ r }: { r: LeaderboardRow }) {
  if (r.gtGain === null) return <>–</>;
  return (
    <>
      {pts(r.gtGain)}
      {r.gtGainInterval && <span className="muted"> [{pts(r.gtGainInterval.lo)}, {pts(r.gtGainInterval.hi)}]</span>}
    </>
  );
}

function Verdict({ s }: { s: PredictorStats }) {
  const cls = s.verdict === "supported" ? "ok" : s.verdict === "not-supported" ? "bad" : "muted";
  const word = { "too-few-models": "too few models", underpowered: "underpowered", supported: "supported", "not-supported": "not supported" }[s.verdict];
  return <span className={cls}>{word}</span>;
}

export default async function LeaderboardPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const query = leaderboardQuerySchema.safeParse(await searchParams);
  const protocol = query.success ? query.data.protocol : undefined;
  const board = await pageData("/leaderboard", () => getLeaderboard(getPrisma(), protocol));
  const mcsStats = board.predictors.find((p) => p.predictor === "mcs")!;
  const mcsPoints: ScatterPoint[] = board.rows
    .filter((r) => r.mcs && r.gtGain !== null)
    .map((r) => ({ label: r.model, x: r.mcs!.step, y: r.gtGain! * 100, censored: r.mcs!.censored }));
  const passPoints: ScatterPoint[] = board.rows
    .filter((r) => r.passAtKGain !== null && r.gtGain !== null)
    .map((r) => ({ label: r.model, x: r.passAtKGain! * 100, y: r.gtGain! * 100, censored: false }));
  const ranked = board.rows.filter((r) => r.mcs || r.gtGain !== null).length;
  const csv = `/api/export/leaderboard.csv?protocol=${encodeURIComponent(board.protocol.key)}`;
  return (
    <>
      <h1>Leaderboard</h1>
      <p className="muted">
        Base models ranked by Model Collapse Step (MCS): the first step at which majority-vote training&apos;s reward
        accuracy falls below 1%, median over seeds of finished runs. A run that never collapsed is censored (&quot;&gt; N&quot;,
        N its last step): it ranks above every collapsed value, never as if it had collapsed. A median shown as
        &quot;&gt; X&quot; involves censored runs; X counts each of them at its last step, a lower bound. Brackets are 95%
        bootstrap intervals over seeds (and, for GT gain, the held-out prompts).
      </p>
      <form method="get" className="toolbar" aria-label="Training protocol">
        <label>
          Training protocol{" "}
          <select name="protocol" defaultValue={board.protocol.key} data-testid="protocol-select">
            {board.protocols.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label} ({p.mcsRuns} majority-vote, {p.gtRuns} ground-truth runs{p.pendingRuns > 0 ? `, ${p.pendingRuns} pending` : ""})
              </option>
            ))}
          </select>
        </label>{" "}
        <button type="submit">Show</button>{" "}
        <a href={csv} download>
          Download this protocol as CSV
        </a>
      </form>
      <p className="muted" data-testid="protocol-note">
        Only runs of one training protocol are compared: the paper defines MCS and the gain with one set of
        hyperparameters. A protocol is the set of settings that differ from the defaults (steps, dataset size, learning
        rate, evaluation settings...); {board.protocol.key === "default" ? "this is the default protocol." : `this one: ${board.protocol.label}.`}
      </p>
      {board.rows.length === 0 ? (
        <p className="muted">No base models yet: `npm start` seeds the shipped ones from the models/ folder.</p>
      ) : (
        <>
          {ranked === 0 && (
            <p className="card" data-testid="leaderboard-empty">
              {board.protocol.pendingRuns > 0 ? (
                <>
                  Nothing is ranked under this protocol yet: {board.protocol.pendingRuns} majority-vote and ground-truth run
                  {board.protocol.pendingRuns === 1 ? " is" : "s are"} queued or running, and the figures fill in as they finish.{" "}
                  <a href="/runs">The runs page</a> shows each run&apos;s time left and place in the queue.
                </>
              ) : (
                <>
                  Nothing is ranked under this protocol yet. A model&apos;s MCS comes from its majority_vote runs and its GT gain
                  from its ground_truth runs: tick the models to compare and press Probe trainability.
                </>
              )}
            </p>
          )}
          <ProbeForm id="probe" protocolKey={board.protocol.key} protocolLabel={board.protocol.label} />
          <table data-testid="leaderboard">
            <thead>
              <tr>
                <th>
                  <span className="sr-only">Probe</span>
                </th>
                <th>Rank</th>
                <th>Base model</th>
                <th>MCS (median) [95%]</th>
                <th>MV runs</th>
                <th title="val/accuracy at step 0 (avg@k), ± standard error">Initial accuracy</th>
                <th>pass@k</th>
                <th>pass@k gain (pts)</th>
                <th>Self-certainty AUROC</th>
                <th title="mean of the last three validations minus the initial one, mean over seeds">GT gain (pts) [95%]</th>
                <th>GT runs</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {board.rows.map((r) => (
                <tr key={r.modelId} data-model={r.model}>
                  <td>
                    <ProbeCheckbox form="probe" model={r.model} />
                  </td>
                  <td>{r.rank ?? "–"}</td>
                  <td>
                    {r.model} <span className="muted">{r.family}</span>
                  </td>
                  <td>
                    <span data-testid="mcs">{r.mcsLabel || "–"}</span>{" "}
                    {r.mcsInterval && (
                      <span className="muted" data-testid="mcs-interval">
                        {r.mcsInterval.label}
                      </span>
                    )}
                  </td>
                  <td>
                    <Runs done={r.mcsRuns} pending={r.pendingMcsRuns} extra={r.mcsCensoredRuns > 0 && <span className="muted"> ({r.mcsCensoredRuns} censored)</span>} />
                  </td>
                  <td title={r.initialAccuracySource === "runs" ? "step-0 val/accuracy of the runs" : "static evaluation (greedy)"}>
                    {pct(r.initialAccuracy)}
                    <span className="muted">{se(r.initialAccuracySe)}</span>
                  </td>
                  <td>{r.passAtK === null ? "–" : `${pct(r.passAtK)} (k=${r.k ?? "?"})`}</td>
                  <td>
                    {pts(r.passAtKGain)}
                    <span className="muted">{se(r.passAtKGainSe)}</span>
                  </td>
                  <td>{num(r.selfCertaintyAuroc, 3)}</td>
                  <td data-testid="gt-gain">
                    <GainCell r={r} />
                  </td>
                  <td>
                    <Runs done={r.gtRuns} pending={r.pendingGtRuns} />
                  </td>
                  <td>
                    {r.runIds.length > 0 && (
                      <a href={`/compare?runs=${r.runIds.slice(0, 20).join(",")}&group=method`} title="majority_vote and ground_truth runs of this model">
                        curves
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>Does MCS predict the gain from ground-truth RL?</h2>
      <p data-testid="verdict-mcs" className="card">
        {mcsStats.summary}
      </p>
      <p className="muted">
        Each predictor against GT gain over the models that have both: Spearman&apos;s ρ with its 95% interval (Fisher z, Bonett and Wright; none below 4 models) and
        permutation p-value (exact up to 10 models; one-sided for MCS and pass@k gain, the predictors the paper ranks with,
        two-sided for the others), Kendall&apos;s τ-b, how reliably the predictor ranks the models (split-seed for figures
        from runs, from standard errors for the static evaluation; GT gain&apos;s: {num(board.gtGainReliability.value)}),
        and the design&apos;s power to detect ρ = 0.8. Below 0.8 power the answer is &quot;underpowered&quot;, not a verdict.
      </p>
      <table data-testid="predictors">
        <thead>
          <tr>
            <th>Predictor</th>
            <th>n</th>
            <th>ρ [95%]</th>
            <th>p (ρ)</th>
            <th>τ-b</th>
            <th>p (τ)</th>
            <th>Reliability</th>
            <th>Power (ρ = 0.8)</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {board.predictors.map((s) => (
            <tr key={s.predictor} data-predictor={s.predictor} title={s.summary}>
              <td>{s.label}</td>
              <td>{s.n}</td>
              <td>
                {num(s.rho)}
                {s.rhoInterval && <span className="muted"> [{num(s.rhoInterval.lo)}, {num(s.rhoInterval.hi)}]</span>}
              </td>
              <td>
                {pval(s.pRho)} <span className="muted">{s.alternative === "greater" ? "one-sided" : "two-sided"}</span>
              </td>
              <td>{num(s.tau)}</td>
              <td>{pval(s.pTau)}</td>
              <td>{num(s.reliability.value)}</td>
              <td data-testid="power">{s.power ? num(s.power.power) : "unknown"}</td>
              <td>
                <Verdict s={s} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="lb-charts">
        <LeaderboardScatter title="MCS vs GT gain" xLabel="MCS (steps; censored at its bound)" yLabel="GT gain (pts)" points={mcsPoints} />
        <LeaderboardScatter title="pass@k gain vs GT gain" xLabel="pass@k gain (pts)" yLabel="GT gain (pts)" points={passPoints} />
      </div>
    </>
  );
}
