// MLflow's search grammar (runs/search, experiments/search): a filter is comparisons joined by AND,
// `<entity>.<key> <comparator> <value>`, and order_by is a list of `<entity>.<key> [ASC|DESC]`.
// Parsed here by hand into typed clauses, then compiled to SQL fragments (conditions, order terms) in
// which every key and value is a bound parameter: user text never becomes SQL. Only the entity and
// attribute names select fixed SQL. No complete statement is written here: the statements that use
// these fragments are sql/search-runs.ts, sql/search-experiments.ts, sql/list-experiments.ts and
// sql/select-run-attributes.ts, which take the parsed clauses, never text.
//
// What a run's params and tags are, in SQL, is also defined here (sql/select-run-attributes.ts loads
// them with the same fragments), so a filter matches exactly what runs/get and runs/search show.
import { invalidParameter, type MlflowError } from "./errors";
import type { ViewType } from "./read-schemas";
import { TO_MLFLOW_STATUS } from "./shapes";

export type Entity = "metric" | "param" | "tag" | "attribute";
export type Comparator = "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE";

export interface Clause {
  entity: Entity;
  key: string;
  comparator: Comparator;
  value: string | number;
}

export interface OrderTerm {
  entity: Entity;
  key: string;
  ascending: boolean;
}

type ValueType = "number" | "string";

export interface Dialect {
  /** "run" or "experiment", for messages. */
  what: string;
  entities: Record<string, Entity>;
  /** Attributes a filter may compare, with the type of value they take. */
  filterAttributes: Record<string, ValueType>;
  /** Attributes order_by may name. */
  orderAttributes: readonly string[];
  aliases: Record<string, string>;
}

const NUMERIC: readonly Comparator[] = ["=", "!=", ">", ">=", "<", "<="];
const TEXT: readonly Comparator[] = ["=", "!=", "LIKE", "ILIKE"];
const MAX_CLAUSES = 100;
const MAX_KEY = 250;

export const RUN_SEARCH: Dialect = {
  what: "run",
  entities: {
    metric: "metric", metrics: "metric",
    param: "param", params: "param", parameter: "param", parameters: "param",
    tag: "tag", tags: "tag",
    attribute: "attribute", attributes: "attribute", attr: "attribute", run: "attribute",
  },
  filterAttributes: { run_id: "string", run_name: "string", status: "string", user_id: "string", start_time: "number", end_time: "number" },
  orderAttributes: ["run_id", "run_name", "status", "user_id", "start_time", "end_time", "experiment_id"],
  aliases: { created: "start_time", Created: "start_time" },
};

export const EXPERIMENT_SEARCH: Dialect = {
  what: "experiment",
  entities: { tag: "tag", tags: "tag", attribute: "attribute", attributes: "attribute", attr: "attribute" },
  filterAttributes: { name: "string", creation_time: "number", last_update_time: "number" },
  orderAttributes: ["name", "experiment_id", "creation_time", "last_update_time"],
  aliases: {},
};

// ---- parsing ---------------------------------------------------------------------------------

class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    private readonly fail: (detail: string) => MlflowError,
  ) {}

  error(detail: string): MlflowError {
    return this.fail(detail);
  }

  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? "";
  }

  /** What is left, for messages. */
  rest(): string {
    const r = this.text.slice(this.pos, this.pos + 30);
    return r ? `'${r}${this.pos + 30 < this.text.length ? "..." : ""}' at character ${this.pos + 1}` : "the end of the text";
  }

  match(re: RegExp): string | null {
    const sticky = new RegExp(re.source, "y" + re.flags.replace(/[gy]/g, ""));
    sticky.lastIndex = this.pos;
    const m = sticky.exec(this.text);
    if (!m) return null;
    this.pos = sticky.lastIndex;
    return m[0];
  }

  word(): string | null {
    return this.match(/[A-Za-z_][A-Za-z0-9_]*/);
  }
}

function identifier(s: Scanner, d: Dialect, attributes: readonly string[]): { entity: Entity; key: string } {
  s.skipSpace();
  const at = s.pos;
  const first = s.word();
  if (first === null) {
    throw s.error(`expected a key such as metrics.\`train/reward_accuracy\`, params.lr, tags.base_model or an attribute, found ${s.rest()}`);
  }
  let entity: Entity = "attribute";
  let key = first;
  if (s.peek() === ".") {
    s.pos++;
    const named = Object.hasOwn(d.entities, first.toLowerCase()) ? d.entities[first.toLowerCase()] : undefined;
    if (!named) {
      const known = [...new Set(Object.keys(d.entities))].join(", ");
      throw s.error(`unknown entity '${first}' at character ${at + 1}: a ${d.what} key starts with one of ${known}`);
    }
    entity = named;
    key = quotedOrBareKey(s);
  }
  if (entity === "attribute") {
    key = Object.hasOwn(d.aliases, key) ? d.aliases[key]! : key;
    if (!attributes.includes(key)) {
      throw s.error(`unknown ${d.what} attribute '${key}': use one of ${attributes.join(", ")} (or metrics.<key>, params.<key>, tags.<key>)`);
    }
  }
  return { entity, key };
}

function quotedOrBareKey(s: Scanner): string {
  const q = s.peek();
  let key: string;
  if (q === "`" || q === '"') {
    const end = s.text.indexOf(q, s.pos + 1);
    if (end < 0) throw s.error(`unterminated ${q} in the key at character ${s.pos + 1}`);
    key = s.text.slice(s.pos + 1, end);
    s.pos = end + 1;
  } else {
    key = s.match(/[^\s=!<>'"`(),]+/) ?? "";
  }
  if (key === "") throw s.error(`expected a key after the '.', found ${s.rest()}; quote keys with special characters, e.g. metrics.\`train/reward_accuracy\``);
  if (key.length > MAX_KEY) throw s.error(`a key is at most ${MAX_KEY} characters`);
  return key;
}

function comparator(s: Scanner, after: string): Comparator {
  s.skipSpace();
  const symbol = s.match(/(>=|<=|!=|=|>|<)(?![=<>])/);
  if (symbol) return symbol as Comparator;
  const at = s.pos;
  const w = s.word()?.toUpperCase();
  if (w === "LIKE" || w === "ILIKE") return w;
  s.pos = at;
  if (w === "IN" || w === "NOT" || w === "IS") {
    throw s.error(`'${w}' is not supported here: compare ${after} with =, !=, >, >=, <, <=, LIKE or ILIKE`);
  }
  throw s.error(`expected a comparator (=, !=, >, >=, <, <=, LIKE, ILIKE) after ${after}, found ${s.rest()}`);
}

function value(s: Scanner, after: string): { type: ValueType; value: string | number } {
  s.skipSpace();
  const q = s.peek();
  if (q === "'" || q === '"') {
    let out = "";
    let i = s.pos + 1;
    for (;;) {
      if (i >= s.text.length) throw s.error(`unterminated string starting at character ${s.pos + 1}`);
      const c = s.text[i]!;
      // SQL's doubled quote and a backslash-escaped quote stand for the quote itself.
      if (c === q && s.text[i + 1] === q) {
        out += q;
        i += 2;
      } else if (c === "\\" && s.text[i + 1] === q) {
        out += q;
        i += 2;
      } else if (c === q) {
        break;
      } else {
        out += c;
        i++;
      }
    }
    s.pos = i + 1;
    return { type: "string", value: out };
  }
  const at = s.pos;
  const num = s.match(/[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?(?![\w.])/);
  if (num !== null) {
    const n = Number(num);
    if (!Number.isFinite(n)) {
      s.pos = at;
      throw s.error(`the number ${num} after ${after} is out of range`);
    }
    return { type: "number", value: n };
  }
  throw s.error(`expected a value after ${after}: a number, or a string in single quotes, found ${s.rest()}`);
}

function describe(entity: Entity, key: string): string {
  const prefix = { metric: "metrics.", param: "params.", tag: "tags.", attribute: "attributes." }[entity];
  return `${prefix}${/^[\w.]+$/.test(key) ? key : `\`${key}\``}`;
}

const shorten = (t: string) => (t.length > 200 ? `${t.slice(0, 200)}...` : t);

/** The clauses of a filter; an empty or blank filter has none. Throws INVALID_PARAMETER_VALUE. */
export function parseFilter(filter: string, d: Dialect): Clause[] {
  const s = new Scanner(filter, (detail) => invalidParameter(`Invalid filter '${shorten(filter)}': ${detail}`));
  const clauses: Clause[] = [];
  if (s.atEnd()) return clauses;
  for (;;) {
    const { entity, key } = identifier(s, d, Object.keys(d.filterAttributes));
    const name = describe(entity, key);
    const op = comparator(s, name);
    const v = value(s, `${name} ${op}`);
    const expected: ValueType = entity === "metric" ? "number" : entity === "attribute" ? d.filterAttributes[key]! : "string";
    const allowed = expected === "number" ? NUMERIC : TEXT;
    if (!allowed.includes(op)) throw s.error(`${name} compares with ${allowed.join(", ")}, not ${op}`);
    if (v.type !== expected) {
      throw s.error(
        expected === "number"
          ? `${name} takes a number (e.g. ${name} ${op} 0.5), not the string '${v.value}'`
          : `${name} takes a quoted string (e.g. ${name} ${op} 'value'), not the number ${v.value}`,
      );
    }
    clauses.push({ entity, key, comparator: op, value: v.value });
    if (clauses.length > MAX_CLAUSES) throw s.error(`at most ${MAX_CLAUSES} clauses`);
    if (s.atEnd()) return clauses;
    const joiner = s.word();
    if (joiner?.toUpperCase() === "OR") throw s.error("OR is not supported: clauses are joined by AND only");
    if (joiner?.toUpperCase() !== "AND") {
      if (joiner !== null) s.pos -= joiner.length;
      throw s.error(`expected AND after the clause on ${name}, found ${s.rest()}`);
    }
    if (s.atEnd()) throw s.error("expected a clause after AND");
  }
}

/** One order_by entry: `<key> [ASC|DESC]`, ascending by default. */
export function parseOrderBy(clause: string, d: Dialect): OrderTerm {
  const s = new Scanner(clause, (detail) => invalidParameter(`Invalid order_by clause '${shorten(clause)}': ${detail}`));
  const { entity, key } = identifier(s, d, d.orderAttributes);
  let ascending = true;
  if (!s.atEnd()) {
    const dir = s.word()?.toUpperCase();
    if (dir !== "ASC" && dir !== "DESC") throw s.error(`expected ASC or DESC after ${describe(entity, key)}, found ${s.rest()}`);
    ascending = dir === "ASC";
    if (!s.atEnd()) throw s.error(`unexpected ${s.rest()}: one key per order_by entry`);
  }
  return { entity, key, ascending };
}

// ---- SQL -------------------------------------------------------------------------------------

/** Bound parameters of one statement: add() returns the placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** The lifecycle condition of a view type, on a fixed deletedAt column named by a statement file. */
export const viewCondition = (column: string, view: ViewType) =>
  view === "ACTIVE_ONLY" ? `${column} IS NULL` : view === "DELETED_ONLY" ? `${column} IS NOT NULL` : "TRUE";

const SQL_OP: Record<Comparator, string> = { "=": "=", "!=": "<>", ">": ">", ">=": ">=", "<": "<", "<=": "<=", LIKE: "LIKE", ILIKE: "ILIKE" };

const epochMs = (ts: string) => `floor(extract(epoch FROM ${ts}) * 1000)`;

/** The tables a run's fields come from: r = Run, bm = its BaseModel, ex = its Experiment. */
export const RUN_FROM = `"Run" r JOIN "BaseModel" bm ON bm."id" = r."baseModelId" LEFT JOIN "Experiment" ex ON ex."id" = r."experimentId"`;

/**
 * Runs the lab made (launch form, study, a runner's outside-trainer run), not runs/create: their
 * Run columns hold base model, reward method, task, dataset size and seed, shown as tags.
 */
export const LAB_RUN = `(r."config"->>'source' IS DISTINCT FROM 'mlflow')`;

/**
 * Runs the engine trains: Run.config is their training config, shown as params (value: the JSON
 * value's text, strings unquoted). An outside trainer's config (its command and environment, which
 * may hold secrets) is never shown.
 */
export const ENGINE_RUN = `(${LAB_RUN} AND NOT bm."external" AND jsonb_typeof(r."config") = 'object')`;

/** The tags a lab run shows from its columns; tags logged through the API take precedence. */
export const LAB_TAGS: Record<string, string> = {
  base_model: `bm."name"`,
  reward_method: `r."rewardMethod"`,
  task: `r."task"`,
  dataset_size: `r."datasetSize"::text`,
  seed: `r."seed"::text`,
  experiment_name: `ex."name"`,
};

const attributeValue = (kind: "param" | "tag", key: string) =>
  `(SELECT a."value" FROM "RunAttribute" a WHERE a."runId" = r."id" AND a."kind" = '${kind}' AND a."key" = ${key})`;

function runParam(key: string, p: SqlParams): string {
  const k = `${p.add(key)}::text`;
  return `COALESCE(${attributeValue("param", k)}, CASE WHEN ${ENGINE_RUN} THEN r."config" ->> ${k} END)`;
}

function runTag(key: string, p: SqlParams): string {
  const lab = Object.hasOwn(LAB_TAGS, key) ? `CASE WHEN ${LAB_RUN} THEN ${LAB_TAGS[key]} END` : "NULL";
  return `COALESCE(${attributeValue("tag", `${p.add(key)}::text`)}, ${lab})`;
}

/** The latest value (MLflow's semantics); NaN counts as absent, so it matches no comparison and sorts last. */
function runMetric(key: string, p: SqlParams): string {
  return `(SELECT NULLIF(s."last", 'NaN'::float8) FROM "MetricSummary" s WHERE s."runId" = r."id" AND s."key" = ${p.add(key)}::text)`;
}

const runStatus = () =>
  `(CASE r."status"::text ${Object.entries(TO_MLFLOW_STATUS).map(([ours, theirs]) => `WHEN '${ours}' THEN '${theirs}'`).join(" ")} END)`;

/** Mirrors read.ts runInfoJson: the name and user a run was created with. */
const namedBy = (tag: string, field: string) =>
  `COALESCE(${attributeValue("tag", `'${tag}'`)}, CASE WHEN jsonb_typeof(r."config"->'${field}') = 'string' THEN r."config"->>'${field}' END, '')`;

function runAttribute(key: string): string {
  switch (key) {
    case "start_time":
      return epochMs(`COALESCE(r."startedAt", r."createdAt")`);
    case "end_time":
      return epochMs(`r."finishedAt"`);
    case "status":
      return runStatus();
    case "run_name":
      return namedBy("mlflow.runName", "runName");
    case "user_id":
      return namedBy("mlflow.user", "userId");
    case "run_id":
      return `r."id"::text`;
    case "experiment_id":
      return `COALESCE(r."experimentId"::text, '0')`;
  }
  throw new Error(`no SQL for run attribute ${key}`);
}

function runExpression(entity: Entity, key: string, p: SqlParams): string {
  switch (entity) {
    case "metric":
      return runMetric(key, p);
    case "param":
      return runParam(key, p);
    case "tag":
      return runTag(key, p);
    case "attribute":
      return runAttribute(key);
  }
}

function compare(expr: string, c: Clause, p: SqlParams): string {
  const cast = typeof c.value === "number" ? (c.entity === "metric" ? "float8" : "numeric") : "text";
  return `${expr} ${SQL_OP[c.comparator]} ${p.add(c.value)}::${cast}`;
}

/** WHERE conditions of a run filter (every clause must hold; a run without the key matches nothing). */
export function runConditions(clauses: readonly Clause[], p: SqlParams): string[] {
  return clauses.map((c) => compare(runExpression(c.entity, c.key, p), c, p));
}

/** ORDER BY of a run search: the terms (missing and NaN values last), then start_time DESC, run_id. */
export function runOrder(terms: readonly OrderTerm[], p: SqlParams): string {
  const parts = terms.map((t) => `${runExpression(t.entity, t.key, p)} ${t.ascending ? "ASC" : "DESC"} NULLS LAST`);
  return [...parts, `${runAttribute("start_time")} DESC`, `r."id" ASC`].join(", ");
}

function experimentExpression(entity: Entity, key: string, p: SqlParams): string {
  if (entity === "tag") {
    // Experiment tags are "key=value" entries of Experiment.tags (entries without "=" are markers).
    return `(SELECT substr(t, strpos(t, '=') + 1) FROM unnest(e."tags") AS t WHERE strpos(t, '=') > 1 AND left(t, strpos(t, '=') - 1) = ${p.add(key)}::text LIMIT 1)`;
  }
  switch (key) {
    case "name":
      return `e."name"`;
    case "creation_time":
      return epochMs(`e."createdAt"`);
    case "last_update_time":
      return epochMs(`e."updatedAt"`);
    case "experiment_id":
      return `e."id"::text`;
  }
  throw new Error(`no SQL for experiment attribute ${key}`);
}

export function experimentConditions(clauses: readonly Clause[], p: SqlParams): string[] {
  return clauses.map((c) => compare(experimentExpression(c.entity, c.key, p), c, p));
}

/** ORDER BY of an experiment search: the terms, else creation_time DESC (MLflow's default), then id. */
export function experimentOrder(terms: readonly OrderTerm[], p: SqlParams): string {
  const parts = terms.map((t) => `${experimentExpression(t.entity, t.key, p)} ${t.ascending ? "ASC" : "DESC"} NULLS LAST`);
  if (parts.length === 0) parts.push(`e."createdAt" DESC`);
  return [...parts, `e."id" ASC`].join(", ");
}
