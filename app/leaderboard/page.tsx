import { getPrisma } from "@/server/db/prisma";
import { getLeaderboard, type Correlation } from "@/server/services/leaderboard";
import { LeaderboardScatter, type ScatterPoint } from "./scatter";

export const dynamic = "force-dynamic";

const pct = (x: number | null) => (x === null ? "–" : `${(x * 100).toFixed(1)}%`);
const pts = (x: number | null) => (x === null ? "–" : `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} pts`);
const rho = (c: Correlation) => (c.rho === null ? "–" : c.rho.toFixed(2));

export default async function LeaderboardPage() {
  const board = await getLeaderboard(getPrisma());
  const mcsPoints: ScatterPoint[] = board.rows
    .filter((r) => r.mcs && r.gtGain !== null)
    .map((r) => ({ label: r.model, x: r.mcs!.step, y: r.gtGain! * 100, censored: r.mcs!.censored }));
  const passPoints: ScatterPoint[] = board.rows
    .filter((r) => r.passAtKGain !== null && r.gtGain !== null)
    .map((r) => ({ label: r.model, x: r.passAtKGain! * 100, y: r.gtGain! * 100, censored: false }));
  return (
    <>
      <h1>Leaderboard</h1>
      <p className="muted">
        Base models ranked by Model Collapse Step (MCS): the first step at which majority-vote training&apos;s reward
        accuracy falls below 1%, median over seeds of finished runs. A run that never collapsed is censored (&quot;&gt; N&quot;,
        N its last step): it ranks above every collapsed value, never as if it had collapsed. A median shown as
        &quot;&gt; X&quot; involves censored runs; X counts each of them at its last step, a lower bound.
      </p>
      <p>
        <a href="/api/export/leaderboard.csv" download>
          Download leaderboard CSV
        </a>
      </p>
      {board.rows.length === 0 ? (
        <p className="muted">No base models yet.</p>
      ) : (
        <table data-testid="leaderboard">
          <thead>
            <tr>
              <th>Rank</th>
              <th>Base model</th>
              <th>MCS (median)</th>
              <th>MV runs</th>
              <th>Initial accuracy</th>
              <th>pass@k</th>
              <th>pass@k gain</th>
              <th>GT gain</th>
              <th>GT runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {board.rows.map((r) => (
              <tr key={r.modelId} data-model={r.model}>
                <td>{r.rank ?? "–"}</td>
                <td>
                  {r.model} <span className="muted">{r.family}</span>
                </td>
                <td data-testid="mcs">{r.mcsLabel || "–"}</td>
                <td>
                  {r.mcsRuns}
                  {r.mcsCensoredRuns > 0 && <span className="muted"> ({r.mcsCensoredRuns} censored)</span>}
                </td>
                <td title={r.initialAccuracySource === "runs" ? "first val/accuracy of the runs" : "static evaluation (greedy)"}>
                  {pct(r.initialAccuracy)}
                </td>
                <td>{r.passAtK === null ? "–" : `${pct(r.passAtK)} (k=${r.k ?? "?"})`}</td>
                <td>{pts(r.passAtKGain)}</td>
                <td>{pts(r.gtGain)}</td>
                <td>{r.gtRuns}</td>
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
      )}
      <h2>Does MCS predict the gain from ground-truth RL?</h2>
      <p className="muted">
        Spearman rank correlation (average ranks for ties) over the base models with an MCS and a GT gain; pass@k gain is
        compared on the same models. GT gain: best minus initial val/accuracy of ground_truth runs, median over seeds.
        pass@k gain: pass@k minus greedy accuracy of the static evaluation. Only finished runs with the default training
        protocol count (learning rate, dataset size, group size, test-time training and the other training settings at
        their defaults, as the paper defines MCS); sweeps stay on the runs pages.
      </p>
      <div className="stats">
        <div className="stat" data-testid="rho-mcs">
          <b>{rho(board.mcsVsGtGain)}</b> ρ(MCS, GT gain), n = {board.mcsVsGtGain.n}
        </div>
        <div className="stat" data-testid="rho-passk">
          <b>{rho(board.passAtKGainVsGtGain)}</b> ρ(pass@k gain, GT gain), n = {board.passAtKGainVsGtGain.n}
        </div>
      </div>
      <div className="lb-charts">
        <LeaderboardScatter title="MCS vs GT gain" xLabel="MCS (steps; censored at its bound)" yLabel="GT gain (pts)" points={mcsPoints} />
        <LeaderboardScatter title="pass@k gain vs GT gain" xLabel="pass@k gain (pts)" yLabel="GT gain (pts)" points={passPoints} />
      </div>
    </>
  );
}
