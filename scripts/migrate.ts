// `npm run db:migrate`: apply the committed migrations to DATABASE_URL (or the embedded database).
import { prepareDatabase } from "./lib/database";

try {
  const db = await prepareDatabase((m) => console.log(`[migrate] ${m}`));
  await db.release();
} catch (err) {
  console.error(`[migrate] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
