// The study's results folder, which makes it resumable: the plan it was made for, and per run its
// records as JSON lines (appended as they arrive), its newest checkpoint, and a marker once done.
// A record is on disk before any checkpoint that covers it, so resuming from the checkpoint and
// dropping the records after it replays nothing twice and loses nothing.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeCheckpoint } from "../runner/engine/train/checkpoint";
import type { StepRecord } from "../runner/engine/train/api";
import type { StudyPlan, StudyRunResult, StudyRunSpec } from "./types";

interface RunState {
  /** Seconds spent on the run so far, over every resumption. */
  seconds: number;
  done: boolean;
  startedAt: string;
  finishedAt?: string;
}

function writeAtomic(file: string, data: string | Uint8Array): void {
  writeFileSync(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

export class ResultsFolder {
  constructor(readonly dir: string) {}

  private file(id: string, ext: string): string {
    return join(this.dir, "runs", `${id}.${ext}`);
  }

  /**
   * Opens the folder for a plan: a new folder records it; an existing one must hold the same plan
   * (otherwise its runs would answer other questions), unless `fresh` clears it.
   */
  open(plan: StudyPlan, fresh: boolean): void {
    const planFile = join(this.dir, "plan.json");
    if (fresh) rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(join(this.dir, "runs"), { recursive: true });
    const text = `${JSON.stringify(plan, null, 2)}\n`;
    if (existsSync(planFile) && readFileSync(planFile, "utf8") !== text) {
      throw new Error(`${this.dir} holds results of a different plan; add --fresh to start over there, or pass --results DIR`);
    }
    writeAtomic(planFile, text);
  }

  state(id: string): RunState | null {
    const f = this.file(id, "state.json");
    return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as RunState) : null;
  }

  setState(id: string, s: RunState): void {
    writeAtomic(this.file(id, "state.json"), JSON.stringify(s));
  }

  appendRecord(id: string, r: StepRecord): void {
    appendFileSync(this.file(id, "jsonl"), `${JSON.stringify(r)}\n`);
  }

  saveCheckpoint(id: string, data: Uint8Array): void {
    writeAtomic(this.file(id, "ckpt"), data);
  }

  records(id: string): StepRecord[] {
    const f = this.file(id, "jsonl");
    if (!existsSync(f)) return [];
    return readFileSync(f, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as StepRecord);
  }

  /**
   * Where an unfinished run continues: its checkpoint (records after it dropped) or, with none, a
   * clean start (records dropped).
   */
  prepareResume(id: string): { checkpoint: Uint8Array | null; step: number } {
    const ck = this.file(id, "ckpt");
    const checkpoint = existsSync(ck) ? new Uint8Array(readFileSync(ck)) : null;
    const step = checkpoint ? decodeCheckpoint(checkpoint).meta.step : -1;
    const kept = this.records(id).filter((r) => r.step <= step);
    writeAtomic(this.file(id, "jsonl"), kept.map((r) => `${JSON.stringify(r)}\n`).join(""));
    return { checkpoint, step: Math.max(step, 0) };
  }

  /** Finished runs in plan order; throws if one is missing (the report needs all of them). */
  finishedRuns(plan: StudyPlan): StudyRunResult[] {
    return plan.runs.map((spec: StudyRunSpec) => {
      const s = this.state(spec.id);
      if (!s?.done) throw new Error(`run ${spec.id} has not finished; run the study again to complete it`);
      return { spec, records: this.records(spec.id), seconds: s.seconds };
    });
  }
}
