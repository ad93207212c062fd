import { ARITH_DEFAULT_LEVEL, ARITH_LEVELS, ArithTask } from "./arith";
import { COUNTDOWN_DEFAULT_LEVEL, COUNTDOWN_LEVELS, CountdownTask } from "./countdown";
import type { Problem, Task } from "./task";

export const TASK_NAMES = ["arith", "countdown"] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** Difficulty levels and defaults per task (for forms and validation). */
export const TASK_LEVELS: Readonly<Record<TaskName, { levels: number[]; defaultLevel: number }>> = {
  arith: { levels: Object.keys(ARITH_LEVELS).map(Number), defaultLevel: ARITH_DEFAULT_LEVEL },
  countdown: { levels: Object.keys(COUNTDOWN_LEVELS).map(Number), defaultLevel: COUNTDOWN_DEFAULT_LEVEL },
};

/** The task of a name at a difficulty (the task's default level when omitted). */
export function getTask(name: string, difficulty?: number): Task<Problem> {
  switch (name) {
    case "arith":
      return new ArithTask(difficulty);
    case "countdown":
      return new CountdownTask(difficulty);
    default:
      throw new Error(`unknown task ${JSON.stringify(name)} (tasks: ${TASK_NAMES.join(", ")})`);
  }
}
