"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/trpc/client";

const when = (d: Date | null) => (d ? new Date(d).toISOString().replace("T", " ").slice(0, 19) + " UTC" : "–");

export function TokensPanel() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  // Always asked again on mount: a login or logout just happened on another page of this tab.
  const auth = useQuery(trpc.auth.status.queryOptions(undefined, { staleTime: 0, refetchOnMount: "always" }));
  const allowed = auth.data ? !auth.data.required || auth.data.authenticated : false;
  const tokens = useQuery(trpc.tokens.list.queryOptions(undefined, { enabled: allowed, refetchOnMount: "always" }));
  const [name, setName] = useState("");
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);
  const invalidate = () => qc.invalidateQueries({ queryKey: trpc.tokens.list.queryKey() });
  const create = useMutation(
    trpc.tokens.create.mutationOptions({
      onSuccess: (t, vars) => {
        setCreated({ name: vars.name, secret: t.secret });
        setName("");
        void invalidate();
      },
    }),
  );
  const revoke = useMutation(trpc.tokens.revoke.mutationOptions({ onSuccess: () => void invalidate() }));

  if (auth.isLoading) return <p className="muted">Loading…</p>;
  if (!allowed) {
    return (
      <p>
        An admin password is configured: <Link href="/login?next=/settings">log in</Link> to manage API tokens.
      </p>
    );
  }
  const fieldError = (create.error?.data?.fieldErrors as Record<string, string[] | undefined> | null | undefined)?.name?.[0];
  return (
    <>
      <form
        className="card toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ name });
        }}
      >
        <label>
          Token name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. gpu-box-runner" maxLength={200} />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
        {(fieldError || create.error) && (
          <p className="form-error" role="alert">
            {fieldError ?? create.error?.message}
          </p>
        )}
      </form>
      {created && (
        <div className="card" data-testid="new-token">
          <p>
            Token <b>{created.name}</b> created. Copy the secret now; it will not be shown again:
          </p>
          <p className="secret">{created.secret}</p>
          <button type="button" onClick={() => setCreated(null)}>
            Done
          </button>
        </div>
      )}
      {tokens.data && tokens.data.length === 0 && <p className="muted">No tokens yet.</p>}
      {tokens.data && tokens.data.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Prefix</th>
              <th>Created</th>
              <th>Last used</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {tokens.data.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td>
                  <code>{t.prefix}…</code>
                </td>
                <td>{when(t.createdAt)}</td>
                <td>{when(t.lastUsedAt)}</td>
                <td>{t.revokedAt ? <span className="bad">revoked {when(t.revokedAt)}</span> : <span className="ok">active</span>}</td>
                <td>
                  {!t.revokedAt && (
                    <button
                      type="button"
                      disabled={revoke.isPending}
                      onClick={() => {
                        if (window.confirm(`Revoke token "${t.name}"? Runners using it stop being accepted.`)) revoke.mutate({ id: t.id });
                      }}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
