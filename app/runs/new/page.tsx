import { getPrisma } from "@/server/db/clients";
import { pageData } from "@/server/errors";
import { REWARD_METHODS, REWARD_METHOD_NAMES } from "@/runner/engine/rewards/registry";
import { TASK_NAMES } from "@/runner/engine/tasks/registry";
import { launchPrefill, launchPrefillQuerySchema, type LaunchPrefill } from "@/server/schemas/launch";
import { LaunchForm } from "./launch-form";

export const dynamic = "force-dynamic";

export default async function LaunchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const models = await pageData("/runs/new", () =>
    getPrisma().baseModel.findMany({
      orderBy: { name: "asc" },
      select: { id: true, name: true, family: true, description: true, paramCount: true, external: true },
    }),
  );
  const query = launchPrefillQuerySchema.safeParse(await searchParams);
  const launchable = models.filter((m) => !m.external).map((m) => m.name);
  const prefill: LaunchPrefill = query.success
    ? launchPrefill(query.data, { models: launchable })
    : { modelNames: [], hyper: {}, notes: ["The link's prefill could not be read; the form starts from the defaults."] };
  return (
    <>
      <h1>Launch runs</h1>
      <p className="muted">Choose base models, reward methods, dataset sizes and seeds; every combination becomes one run.</p>
      <LaunchForm
        models={models.map((m) => ({ ...m, paramCount: Number(m.paramCount) }))}
        rewardMethods={REWARD_METHOD_NAMES.map((n) => ({ name: n, kind: REWARD_METHODS[n].kind, description: REWARD_METHODS[n].description }))}
        tasks={[...TASK_NAMES]}
        prefill={prefill}
      />
    </>
  );
}
