export const SELECT_BASE_MODEL = `SELECT "name", "external", "artifactPath" FROM "BaseModel" WHERE "id" = $1`;
