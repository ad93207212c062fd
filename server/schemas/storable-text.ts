// What Postgres can store as text, checked at every boundary (tRPC, the MLflow API, the CSV exports,
// URL filters) before anything reaches a query: a NUL character is refused by Postgres (the request
// would fail with its error text), and an unpaired UTF-16 surrogate has no UTF-8 encoding (pg would
// silently store U+FFFD instead). Pure: safe in the browser bundle.

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored, or null when it can. */
export function unstorableTextProblem(text: string): string | null {
  if (text.includes("\u0000")) return "must not contain NUL characters (\\u0000)";
  if (UNPAIRED_SURROGATE.test(text)) return "must be valid Unicode (it has an unpaired surrogate)";
  return null;
}

export interface UnstorableText {
  /** The top-level field, as forms key their messages. */
  field: string;
  /** The whole path ("tags.2"). */
  path: string;
  problem: string;
}

/** The first string (value or object key) anywhere in `value` that cannot be stored, or null. */
export function findUnstorableText(value: unknown, path: readonly (string | number)[] = []): UnstorableText | null {
  const found = (problem: string, at: readonly (string | number)[]): UnstorableText => ({
    field: at.length > 0 ? String(at[0]) : "input",
    path: at.length > 0 ? at.join(".") : "input",
    problem,
  });
  if (typeof value === "string") {
    const problem = unstorableTextProblem(value);
    return problem ? found(problem, path) : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findUnstorableText(value[i], [...path, i]);
      if (bad) return bad;
    }
    return null;
  }
  if (value !== null && typeof value === "object") {
    for (const [key, inner] of Object.entries(value)) {
      const keyProblem = unstorableTextProblem(key);
      if (keyProblem) return found(`has a key that ${keyProblem}`, path);
      const bad = findUnstorableText(inner, [...path, key]);
      if (bad) return bad;
    }
  }
  return null;
}
