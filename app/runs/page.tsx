// The runs table: filters, sort and page live in the URL (searchParams), so every view is a link.
// The data comes from the runs service on the server; selection and actions are a client island.
import { pageData } from "@/server/errors";
import Link from "next/link";
import { getPrisma } from "@/server/db/clients";
import { listRunsInputSchema, RUN_STATUSES, RUN_SORTS, RUN_VIEWS, isActiveStatus, type ListRunsQuery, type RunSort } from "@/server/schemas/runs";
import { listRuns, runFilterOptions, TABLE_METRICS } from "@/server/services/runs";
import { loadQueueState, waitOf, type RunWait } from "@/server/services/timing";
import { REWARD_METHOD_NAMES } from "@/runner/engine/rewards/registry";
import { Pagination } from "../components/pagination";
import { AutoRefresh } from "../components/auto-refresh";
import { RunsTable, type SortLinks } from "./runs-table";

export const dynamic = "force-dynamic";

type SearchParams = Record<string, string | string[] | undefined>;

function hrefWith(q: ListRunsQuery, change: Partial<ListRunsQuery>): string {
  const next = { ...q, ...change };
  const params = new URLSearchParams();
  const defaults = listRunsInputSchema.parse({});
  for (const [k, v] of Object.entries(next)) {
    if (v === undefined || v === null || v === "" || v === (defaults as Record<string, unknown>)[k]) continue;
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `/runs?${s}` : "/runs";
}

export default async function RunsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const q = listRunsInputSchema.parse(await searchParams);
  const prisma = getPrisma();
  const [data, options, queue] = await pageData("/runs", () =>
    Promise.all([listRuns(prisma, q), runFilterOptions(prisma), loadQueueState(prisma)]),
  );
  const waits: Record<string, RunWait> = {};
  for (const r of data.runs) {
    const wait = waitOf(queue, r.id);
    if (wait) waits[r.id] = wait;
  }
  const sortLinks = Object.fromEntries(
    RUN_SORTS.map((s: RunSort) => {
      const active = q.sort === s;
      const dir = active && q.dir === "desc" ? "asc" : active ? "desc" : s === "created" ? "desc" : "asc";
      return [s, { href: hrefWith(q, { sort: s, dir, page: 1 }), active, dir: active ? q.dir : null }];
    }),
  ) as SortLinks;
  const filtered = Boolean(q.status || q.model || q.reward || q.experiment || q.tag || q.view !== "active");

  return (
    <>
      <h1>Runs</h1>
      <p>
        <a href={`/api/export/runs.csv${hrefWith(q, {}).slice("/runs".length)}`} download>
          Download this table (CSV)
        </a>
      </p>
      <AutoRefresh active={data.runs.some((r) => isActiveStatus(r.status))} />
      <form method="get" action="/runs" className="filters card" aria-label="Filter runs">
        <label>
          Status
          <select name="status" defaultValue={q.status ?? ""}>
            <option value="">any</option>
            {RUN_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        <label>
          Base model
          <select name="model" defaultValue={q.model ?? ""}>
            <option value="">any</option>
            {options.models.map((m) => (
              <option key={m.id} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reward method
          <select name="reward" defaultValue={q.reward ?? ""}>
            <option value="">any</option>
            {REWARD_METHOD_NAMES.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Experiment
          <select name="experiment" defaultValue={q.experiment ?? ""}>
            <option value="">any</option>
            {options.experiments.map((e) => (
              <option key={e.id} value={e.id}>
                {e.name} ({e.createdAt.toISOString().slice(0, 16).replace("T", " ")})
              </option>
            ))}
          </select>
        </label>
        <label>
          Tag
          <select name="tag" defaultValue={q.tag ?? ""}>
            <option value="">any</option>
            {options.tags.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label>
          Show
          <select name="view" defaultValue={q.view}>
            {RUN_VIEWS.map((v) => (
              <option key={v} value={v}>
                {v === "active" ? "active runs" : "deleted runs (to restore)"}
              </option>
            ))}
          </select>
        </label>
        {q.sort !== "created" ? <input type="hidden" name="sort" value={q.sort} /> : null}
        {q.dir !== "desc" ? <input type="hidden" name="dir" value={q.dir} /> : null}
        <button type="submit">Apply filters</button>
        {filtered ? <Link href="/runs">Clear</Link> : null}
      </form>
      {data.total === 0 ? (
        <p className="muted">
          {filtered ? (
            <>
              No run matches these filters. <Link href="/runs">Clear them</Link>, or <Link href="/runs/new">launch a grid of runs</Link>.
            </>
          ) : (
            <>
              No runs yet. <Link href="/runs/new">Launch a grid of runs</Link>, or start from the <Link href="/leaderboard">leaderboard</Link>: select
              base models and probe their trainability with the leaderboard&apos;s protocol.
            </>
          )}
        </p>
      ) : (
        <>
          {q.view === "deleted" ? (
            <p className="muted">
              Deleted runs are hidden from the tables, compare, the leaderboard and the exports until restored; <code>npm run purge</code> removes them for good.
            </p>
          ) : null}
          <RunsTable runs={data.runs} sortLinks={sortLinks} metrics={[...TABLE_METRICS]} waits={waits} view={q.view} />
          <Pagination page={data.page} pages={data.pages} total={data.total} hrefFor={(page) => hrefWith(q, { page })} />
        </>
      )}
    </>
  );
}
