// The fast cancel poll: which of this runner's runs the dashboard asked to stop. Reads an index-free
// handful of rows by primary key, so polling every second costs nothing noticeable.
export const SELECT_CANCEL_REQUESTS = `
SELECT "id" FROM "Run" WHERE "id" = ANY($1::uuid[]) AND "runnerId" = $2 AND "cancelRequested"
`;
