// `npm run token -- create NAME | list | revoke ID`: API tokens for outside trainers and runners.
// The secret is printed once, at creation; the database keeps only its SHA-256.
import { parseFlags, runCommand, UsageError, type CommandResult } from "../runner/engine/cli/args";
import { requireDatabaseUrl } from "../server/db/connection";
import { checkConnection, createPool } from "../server/db/pool";
import { createToken, listTokens, revokeToken } from "../server/auth/tokens";

const USAGE = `Usage: npm run token -- create NAME   print a new token (shown once)
       npm run token -- list          list tokens (never their secrets)
       npm run token -- revoke ID     revoke a token by its id
Needs DATABASE_URL (the dashboard's database).`;

async function main(argv: string[]): Promise<CommandResult> {
  const { values, positionals } = parseFlags(argv, { help: { type: "boolean", short: "h" } }, { positionals: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (!["create", "list", "revoke"].includes(command)) throw new UsageError(`Unknown command "${command}"`);
  const name = rest.join(" ").trim();
  if (command === "create" && !name) throw new UsageError("create needs a NAME");
  const id = rest[0];
  if (command === "revoke" && !id) throw new UsageError("revoke needs a token ID (see: npm run token -- list)");

  const url = requireDatabaseUrl();
  await checkConnection(url);
  const pool = createPool(url, 1);
  try {
    if (command === "create") {
      const t = await createToken(pool, name);
      console.log(`Created token ${t.id} (${name}). Its secret, shown only now:\n\n  ${t.secret}\n`);
      console.log(`Outside trainers: MLFLOW_TRACKING_TOKEN=${t.secret} MLFLOW_TRACKING_URI=http://<dashboard>:3000`);
      return 0;
    }
    if (command === "list") {
      const tokens = await listTokens(pool);
      if (tokens.length === 0) console.log("No tokens. Create one with: npm run token -- create NAME");
      for (const t of tokens) {
        const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : "active";
        const used = t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : "never used";
        console.log(`${t.id}  ${t.prefix}…  ${t.name}  ${state}, ${used}`);
      }
      return 0;
    }
    if (await revokeToken(pool, id!)) {
      console.log(`Revoked ${id}.`);
      return 0;
    }
    console.error(`No active token with id ${id} (see: npm run token -- list).`);
    return 1;
  } finally {
    await pool.end();
  }
}

runCommand(() => main(process.argv.slice(2)), { prefix: "token:" });
