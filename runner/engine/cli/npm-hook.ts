// npm treats a script named "pretrain" as a hook of "train" and runs it, without arguments, before
// every `npm run train`. The pretrain command uses this to step aside in that case: it looks at the
// command line of the npm process that started it.
import { readFileSync } from "node:fs";

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

function commandLine(pid: number): string[] {
  try {
    // npm rewrites its process title, so its arguments may arrive as one space-separated string.
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split(/[\0\s]+/).filter(Boolean);
  } catch {
    return [];
  }
}

/** True when npm runs this process as the automatic pre-hook of the script `target`. */
export function isNpmPreHookOf(target: string, argv: string[]): boolean {
  if (argv.length > 0 || process.env.npm_lifecycle_event !== `pre${target}`) return false;
  for (let pid = process.ppid, depth = 0; pid > 1 && depth < 6; pid = parentOf(pid) ?? 1, depth++) {
    const args = commandLine(pid);
    const run = args.findIndex((a) => a === "run" || a === "run-script");
    if (run >= 0 && args.some((a) => a.endsWith("npm-cli.js") || a.endsWith("/npm") || a === "npm")) {
      return args[run + 1] === target;
    }
  }
  return false;
}
