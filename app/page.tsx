import Link from "next/link";
import { getPrisma } from "@/server/db/clients";
import { AppError, DATABASE_UNREACHABLE, pageData } from "@/server/errors";
import { getHealth } from "@/server/services/health";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const health = await pageData("/", () => getHealth(getPrisma()));
  // app/error.tsx says why and retries.
  if (!health.counts) throw new AppError("UNAVAILABLE", DATABASE_UNREACHABLE);
  const { counts } = health;
  return (
    <>
      <h1>URLVR Lab</h1>
      <p className="muted">
        Train small policies with intrinsic, external and ground-truth rewards, watch them rise and collapse, and rank
        base models by their Model Collapse Step.
      </p>
      <div className="stats">
        <Link className="stat" href="/models">
          <b>{counts.baseModels}</b> base models
        </Link>
        <Link className="stat" href="/runs">
          <b>{counts.runs}</b> runs
        </Link>
        <div className="stat">
          <b>{counts.queued}</b> queued
        </div>
        <div className="stat">
          <b>{counts.running}</b> running
        </div>
        <Link className="stat" href="/health">
          <b>{health.runners.filter((r) => r.alive).length}</b> runners alive
        </Link>
      </div>
    </>
  );
}
