import { z } from "zod";
import { pageData } from "@/server/errors";
import { getPrisma } from "@/server/db/clients";
import { GROUP_BY, MAX_COMPARE_RUNS, getCompareRuns, listComparableRuns } from "@/server/services/compare";
import { ComparePanel } from "./compare-panel";
import { RunPicker } from "./run-picker";
import { MCS_METRIC } from "@/runner/engine/metrics/metric-names";

export const dynamic = "force-dynamic";

// ?runs=id1,id2 (or repeated ?run=id from the picker), &key=metric, &group=run|model|method.
const params = z.object({
  runs: z.string().optional().catch(undefined),
  run: z.union([z.string(), z.array(z.string())]).optional().catch(undefined),
  key: z.string().max(250).optional().catch(undefined),
  group: z.enum(GROUP_BY).optional().catch(undefined),
});

export default async function ComparePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = params.parse(await searchParams);
  const requested = [...(sp.runs?.split(",") ?? []), ...[sp.run ?? []].flat()].map((s) => s.trim()).filter(Boolean);
  const valid = [...new Set(requested.filter((id) => z.uuid().safeParse(id).success))];
  const prisma = getPrisma();
  if (valid.length === 0) {
    return (
      <>
        <h1>Compare runs</h1>
        {requested.length > 0 && <p className="form-error">None of the given run ids is a valid id.</p>}
        <p className="muted">Choose up to {MAX_COMPARE_RUNS} runs to overlay.</p>
        <RunPicker runs={await pageData("/compare", () => listComparableRuns(prisma))} max={MAX_COMPARE_RUNS} />
      </>
    );
  }
  const chosen = valid.slice(0, MAX_COMPARE_RUNS);
  const { runs, keys } = await pageData("/compare", () => getCompareRuns(prisma, { runIds: chosen }));
  const key = sp.key && keys.includes(sp.key) ? sp.key : keys.includes(MCS_METRIC) ? MCS_METRIC : (keys[0] ?? MCS_METRIC);
  return (
    <>
      <h1>Compare runs</h1>
      {valid.length > MAX_COMPARE_RUNS && (
        <p className="form-error">Only the first {MAX_COMPARE_RUNS} of the {valid.length} runs are shown.</p>
      )}
      <ComparePanel runs={runs} keys={keys} initialKey={key} initialGroup={sp.group ?? "run"} />
      <p>
        <a href={`/api/export/metrics.csv?runs=${runs.map((r) => r.id).join(",")}`} download>
          Download these runs&apos; full metric history (CSV)
        </a>
      </p>
    </>
  );
}
