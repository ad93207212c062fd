// Not a statement: which experiments a purge removes, shared by its dry run
// (select-empty-deleted-experiments.ts) and the delete (delete-empty-deleted-experiments.ts), so the
// count a dry run prints follows the rule the purge applies. Deleted before the cutoff ($1), and only
// once none of their runs is left (Run.experimentId would otherwise be nulled). Exported for those two
// statement files only.
export const EMPTY_DELETED_EXPERIMENTS = `
e."deletedAt" IS NOT NULL AND e."deletedAt" <= $1::timestamptz AND NOT EXISTS (SELECT 1 FROM "Run" r WHERE r."experimentId" = e."id")`;
