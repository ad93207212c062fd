// MLflow's vocabulary and JSON shapes as this server writes them: run statuses both ways, lifecycle
// stages, experiments, doubles (protobuf's JSON writes non-finite values as strings). Pure, so the
// store (writes), the read side and the search grammar share it without importing each other.

export const DEFAULT_EXPERIMENT_ID = "0";
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type Status = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELED" | "CRASHED";
export type MlflowStatus = "RUNNING" | "SCHEDULED" | "FINISHED" | "FAILED" | "KILLED";

export const TO_MLFLOW_STATUS: Record<Status, MlflowStatus> = {
  QUEUED: "SCHEDULED",
  RUNNING: "RUNNING",
  SUCCEEDED: "FINISHED",
  FAILED: "FAILED",
  CRASHED: "FAILED",
  CANCELED: "KILLED",
};
export const FROM_MLFLOW_STATUS: Partial<Record<MlflowStatus, Status>> = {
  RUNNING: "RUNNING",
  FINISHED: "SUCCEEDED",
  FAILED: "FAILED",
  KILLED: "CANCELED",
  // SCHEDULED is not mapped: a QUEUED run would be claimed by a runner, which has nothing to run.
};

export interface KeyValue {
  key: string;
  value: string;
}

export interface ExperimentRow {
  id: string;
  name: string;
  tags: string[];
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** Encodes a double for MLflow's JSON: protobuf writes non-finite values as strings. */
export function jsonDouble(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "-Infinity";
  return v;
}

export const lifecycleStage = (row: { deletedAt: Date | null }) => (row.deletedAt ? "deleted" : "active");

export function experimentJson(e: ExperimentRow) {
  const tags = e.tags
    .filter((t) => t.includes("="))
    .map((t) => ({ key: t.slice(0, t.indexOf("=")), value: t.slice(t.indexOf("=") + 1) }));
  return {
    experiment_id: e.id,
    name: e.name,
    artifact_location: "",
    lifecycle_stage: lifecycleStage(e),
    creation_time: String(e.createdAt.getTime()),
    last_update_time: String(e.updatedAt.getTime()),
    tags,
  };
}

/** One entry per key, the last one given (MLflow: the last write wins). */
export function lastWins(items: KeyValue[]): KeyValue[] {
  return [...new Map(items.map((i) => [i.key, i])).values()];
}
