// The engine's timed URLVR iteration alone (train/iteration-timing.ts), with bench:engine's flags but
// no PyTorch: the runner's sizing starts several of these at once and reads their --json files.
import { writeFileSync } from "node:fs";
import { ITERATION_FLAGS, iterationJson, iterationSetup, iterationTable, timeIteration } from "../train/iteration-timing";
import { describeOptions, orUsageExit, parseFlags } from "./args";

const { values } = orUsageExit(() => parseFlags(process.argv.slice(2), ITERATION_FLAGS));
if (values.help) {
  console.log(`Usage: tsx runner/engine/cli/time-iteration.ts [flags]: times one URLVR iteration of the engine\n${describeOptions(ITERATION_FLAGS)}`);
  process.exit(0);
}
const setup = orUsageExit(() => iterationSetup(values));
const rows = [await timeIteration(setup)];
for (const line of iterationTable(setup, rows)) console.log(line);
if (values.json) writeFileSync(values.json, iterationJson(setup, rows));
