"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { RunCells, RunHeaderCells } from "./run-cells";
import type { CompareRun } from "@/server/services/compare";

export function RunPicker({ runs, max }: { runs: CompareRun[]; max: number }) {
  const router = useRouter();
  const [picked, setPicked] = useState<string[]>([]);
  if (runs.length === 0) {
    return (
      <p className="muted" data-testid="compare-empty">
        No run has logged metrics yet. <a href="/runs/new">Launch a grid of runs</a>, or probe base models from the{" "}
        <a href="/leaderboard">leaderboard</a>; runs appear here as soon as they log their first step.
      </p>
    );
  }
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length < max ? [...p, id] : p));
  return (
    <>
      <p>
        <button type="button" disabled={picked.length === 0} onClick={() => router.push(`/compare?runs=${picked.join(",")}`)}>
          Compare {picked.length} run{picked.length === 1 ? "" : "s"}
        </button>
      </p>
      <table>
        <thead>
          <tr>
            <th />
            <RunHeaderCells />
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => (
            <tr key={r.id}>
              <td>
                <input type="checkbox" aria-label={`select run ${r.id}`} checked={picked.includes(r.id)} onChange={() => toggle(r.id)} />
              </td>
              <RunCells run={r} />
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
