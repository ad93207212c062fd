// The columns describing a run in both compare tables (the chosen runs and the picker).
import { mcsCell } from "@/app/components/format";
import type { CompareRun } from "@/server/services/compare";

export function RunHeaderCells() {
  return (
    <>
      <th>Base model</th>
      <th>Reward method</th>
      <th>Seed</th>
      <th>Dataset</th>
      <th>Status</th>
      <th>MCS</th>
    </>
  );
}

export function RunCells({ run }: { run: CompareRun }) {
  return (
    <>
      <td>{run.model}</td>
      <td>{run.rewardMethod}</td>
      <td>{run.seed}</td>
      <td>{run.datasetSize}</td>
      <td>{run.status}</td>
      <td title={mcsCell(run).title}>{mcsCell(run).text}</td>
    </>
  );
}
