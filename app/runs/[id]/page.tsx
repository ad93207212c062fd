import { notFound } from "next/navigation";
import { z } from "zod";
import { getPrisma } from "@/server/db/clients";
import { AppError, pageData } from "@/server/errors";
import { getRun } from "@/server/services/runs";
import { RunView } from "./run-view";

export const dynamic = "force-dynamic";

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  try {
    await pageData("/runs/[id]", () => getRun(getPrisma(), id));
  } catch (err) {
    if (err instanceof AppError && err.code === "NOT_FOUND") notFound();
    throw err;
  }
  return <RunView id={id} />;
}
