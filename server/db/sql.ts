// How a statement module runs its SQL, whichever client the caller holds: a pg pool or client (the
// runner, the MLflow API, CSV streams) or Prisma, inside or outside an interactive transaction (the
// dashboard's services). Statement modules take an `Sql` and stay one statement per file.
import type pg from "pg";
import type { PrismaClient } from "./prisma";

/** One SQL statement with positional parameters ($1, $2, ...), returning its rows. */
export type Sql = <Row>(text: string, values: readonly unknown[]) => Promise<Row[]>;

export const viaPg =
  (db: pg.Pool | pg.ClientBase): Sql =>
  async <Row>(text: string, values: readonly unknown[]) =>
    (await db.query(text, [...values])).rows as Row[];

export const viaPrisma =
  (prisma: Pick<PrismaClient, "$queryRawUnsafe">): Sql =>
  <Row>(text: string, values: readonly unknown[]) =>
    prisma.$queryRawUnsafe<Row[]>(text, ...values);
