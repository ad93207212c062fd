// Progress of a run as a native <progress> (announced by screen readers) with "current / total".
export function Progress({ current, total }: { current: number; total: number }) {
  return (
    <span className="progress-cell">
      <progress max={Math.max(total, 1)} value={Math.min(current, total)} aria-label={`step ${current} of ${total}`} />
      <span className="muted">
        {current}/{total}
      </span>
    </span>
  );
}
