"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc/client";

export function HealthPanel() {
  const trpc = useTRPC();
  const { data, error, isPending } = useQuery({ ...trpc.health.status.queryOptions(), refetchInterval: 5_000 });
  if (isPending) return <p className="muted">Checking…</p>;
  if (error) return <p className="bad">Dashboard server unreachable: {error.message}</p>;
  return (
    <>
      <section className="card" aria-label="Database">
        <h2>Database</h2>
        <p>
          <span className={data.database.ok ? "ok" : "bad"} data-testid="db-status">
            {data.database.ok ? "Connected" : "Unavailable"}
          </span>{" "}
          <span className="muted">
            {data.database.ok ? `PostgreSQL ${data.database.serverVersion}` : data.database.message}
          </span>
        </p>
      </section>
      <section className="card" aria-label="Runners">
        <h2>Runners</h2>
        {data.runners.length === 0 ? (
          <p className="muted">No runner has registered. Start one with `npm run runner`.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Runner</th>
                <th>Host</th>
                <th>Devices</th>
                <th>Slots</th>
                <th>Last seen</th>
                <th>State</th>
              </tr>
            </thead>
            <tbody>
              {data.runners.map((r) => (
                <tr key={r.id}>
                  <td>{r.id}</td>
                  <td>{r.host}</td>
                  <td>{r.devices.join(", ")}</td>
                  <td>{r.slots}</td>
                  <td>{new Date(r.lastSeenAt).toLocaleTimeString()}</td>
                  <td className={r.alive ? "ok" : "bad"}>{r.alive ? "alive" : "silent"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
