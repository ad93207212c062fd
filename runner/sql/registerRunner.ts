// Registers (or re-registers, after someone cleaned up stale runners) this runner and marks it seen.
export const REGISTER_RUNNER = `
INSERT INTO "Runner" ("id", "host", "pid", "devices", "slots", "startedAt", "lastSeenAt")
VALUES ($1, $2, $3, $4::text[], $5, now(), now())
ON CONFLICT ("id") DO UPDATE SET "lastSeenAt" = now()
`;
