import type { PrismaClient } from "../db/prisma";

export async function listBaseModels(prisma: PrismaClient) {
  const models = await prisma.baseModel.findMany({
    orderBy: { name: "asc" },
    include: { _count: { select: { runs: true } } },
  });
  return models.map(({ _count, paramCount, ...m }) => ({ ...m, paramCount: Number(paramCount), runCount: _count.runs }));
}
