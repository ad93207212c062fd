// `npm run db:migrate`: apply the committed migrations to DATABASE_URL (or the embedded database).
import { runCommand } from "../runner/engine/cli/args";
import { prepareDatabase } from "./lib/database";

runCommand(
  async () => {
    const db = await prepareDatabase((m) => console.log(`[migrate] ${m}`));
    await db.release();
  },
  { prefix: "[migrate]" },
);
