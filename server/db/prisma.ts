import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { requireDatabaseUrl } from "./connection";

// One client per process; Next's dev server re-evaluates modules, so keep it on globalThis.
const globalForPrisma = globalThis as unknown as { urlvrPrisma?: PrismaClient };

export function createPrisma(url = requireDatabaseUrl()): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

export function getPrisma(): PrismaClient {
  globalForPrisma.urlvrPrisma ??= createPrisma();
  return globalForPrisma.urlvrPrisma;
}

export type { PrismaClient };
