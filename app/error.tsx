"use client";
// Every page's error boundary. A page that cannot load says why instead of showing empty tables:
// when the health check reports the database down, the page names the cause and retries by itself
// (every 5 s) until the database answers again; any other failure shows its digest (the server log
// line carries the same id) and a retry button.
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { startTransition, useEffect, useRef } from "react";
import { useTRPC } from "./trpc/client";

const RETRY_MS = 5_000;

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const health = useQuery({ ...trpc.health.status.queryOptions(), refetchInterval: RETRY_MS, retry: false });
  const databaseDown = health.data !== undefined && !health.data.database.ok;
  const retry = () =>
    startTransition(() => {
      router.refresh();
      reset();
    });

  // Only a database that was seen down and is back triggers a retry by itself; any other error would
  // fail again at once and loop.
  const sawDown = useRef(false);
  const databaseUp = health.data?.database.ok === true;
  useEffect(() => {
    if (databaseDown) sawDown.current = true;
    if (databaseUp && sawDown.current) {
      sawDown.current = false;
      retry();
    }
  }, [databaseDown, databaseUp]); // retry is a fresh closure each render; the states decide

  if (databaseDown) {
    return (
      <section className="card" role="alert" data-testid="database-down">
        <h1>Database unreachable</h1>
        <p>
          The dashboard cannot reach its PostgreSQL database: <span className="bad">{health.data.database.message}</span>
        </p>
        <p className="muted">
          Nothing is shown rather than tables that would look empty. This page tries again every {RETRY_MS / 1000} s and
          comes back by itself when the database answers; runs keep their place (runners retry their writes).
        </p>
      </section>
    );
  }
  return (
    <section className="card" role="alert">
      <h1>This page could not be loaded</h1>
      <p>
        {health.error
          ? "The dashboard server does not answer."
          : `An unexpected error (${error.digest ? `digest ${error.digest}` : error.message}); the server log has the details.`}
      </p>
      <button type="button" onClick={retry}>
        Try again
      </button>
    </section>
  );
}
