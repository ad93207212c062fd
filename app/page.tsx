import Link from "next/link";
import { getPrisma } from "@/server/db/prisma";
import { getHealth } from "@/server/services/health";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const health = await getHealth(getPrisma());
  return (
    <>
      <h1>URLVR Lab</h1>
      <p className="muted">
        Train small policies with intrinsic, external and ground-truth rewards, watch them rise and collapse, and rank
        base models by their Model Collapse Step.
      </p>
      <div className="stats">
        <Link className="stat" href="/models">
          <b>{health.counts.baseModels}</b> base models
        </Link>
        <Link className="stat" href="/runs">
          <b>{health.counts.runs}</b> runs
        </Link>
        <div className="stat">
          <b>{health.counts.queued}</b> queued
        </div>
        <div className="stat">
          <b>{health.counts.running}</b> running
        </div>
        <Link className="stat" href="/health">
          <b>{health.runners.filter((r) => r.alive).length}</b> runners alive
        </Link>
      </div>
    </>
  );
}
