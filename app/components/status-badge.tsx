// A run's status as a coloured badge; "stopping" while a cancel is on its way to the runner.
export function StatusBadge({ status, cancelRequested = false }: { status: string; cancelRequested?: boolean }) {
  const stopping = status === "RUNNING" && cancelRequested;
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-testid="run-status">
      {stopping ? "STOPPING" : status}
    </span>
  );
}
