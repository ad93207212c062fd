import { getPrisma } from "@/server/db/prisma";
import { REWARD_METHODS, REWARD_METHOD_NAMES } from "@/runner/engine/rewards/registry";
import { TASK_NAMES } from "@/runner/engine/tasks/registry";
import { LaunchForm } from "./launch-form";

export const dynamic = "force-dynamic";

export default async function LaunchPage() {
  const models = await getPrisma().baseModel.findMany({
    orderBy: { name: "asc" },
    select: { id: true, name: true, family: true, description: true, paramCount: true, external: true },
  });
  return (
    <>
      <h1>Launch runs</h1>
      <p className="muted">Choose base models, reward methods, dataset sizes and seeds; every combination becomes one run.</p>
      <LaunchForm
        models={models.map((m) => ({ ...m, paramCount: Number(m.paramCount) }))}
        rewardMethods={REWARD_METHOD_NAMES.map((n) => ({ name: n, kind: REWARD_METHODS[n].kind, description: REWARD_METHODS[n].description }))}
        tasks={[...TASK_NAMES]}
      />
    </>
  );
}
