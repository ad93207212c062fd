// Command-line flags for every command of the project: the engine's, the runner's, the study's and the
// scripts'. node:util's parseArgs reads them; a flag it does not know, a value that is not a number,
// or one outside its schema's bounds is a UsageError, which every command reports the same way (one
// line per problem, then "(see --help)", exit 2), so a typo never silently falls back to a default.
// Flags are read against a zod object schema: `--kebab-case` flags map to its camelCase keys, values
// are converted by the field's type, and --help lists the schema's flags with their defaults and help.
// Here in the engine because the engine imports nothing outside itself and every other command may
// import it.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { z } from "zod";
import { toError } from "../util/to-error";

export class UsageError extends Error {
  override name = "UsageError";
}

export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** node:util's parseArgs, strict; what it refuses becomes a UsageError of one line. */
export function parseFlags<const O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, o: { positionals?: boolean } = {}) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: o.positionals ?? false });
  } catch (err) {
    throw new UsageError(toError(err).message.replace(/\. To specify a positional.*$/s, ""));
  }
}

/** The innermost type of a field (through defaults, optionals and transforms), for deciding how to read it. */
function baseType(field: z.ZodType): z.ZodType {
  let t: z.ZodType = field;
  for (;;) {
    if (t instanceof z.ZodDefault || t instanceof z.ZodPrefault || t instanceof z.ZodOptional || t instanceof z.ZodNullable) {
      t = (t as z.ZodDefault<z.ZodType>).unwrap() as z.ZodType;
    } else if (t instanceof z.ZodPipe) {
      t = t.in as z.ZodType;
    } else {
      return t;
    }
  }
}

/** A field's default as its flag would be written, or undefined when it has none. */
function defaultText(field: z.ZodType): string | undefined {
  for (let t: z.ZodType = field; ; t = (t as z.ZodOptional<z.ZodType>).unwrap() as z.ZodType) {
    if (t instanceof z.ZodDefault || t instanceof z.ZodPrefault) {
      const value = (t.def as { defaultValue: unknown }).defaultValue;
      return typeof value === "string" ? value : JSON.stringify(value);
    }
    if (!(t instanceof z.ZodOptional || t instanceof z.ZodNullable)) return undefined;
  }
}

/** Text to read a number from: a flag's value, or an environment variable standing in for it. */
export function toNumber(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${text}"`);
  return n;
}

export interface ParsedCommand<T> {
  values: T;
  /** Flags the command handles itself (e.g. --out), as strings or booleans. */
  extra: Record<string, string | boolean | undefined>;
  /** Arguments that are not flags; only where the command accepts them (e.g. model folders). */
  positionals: string[];
  /** --help (or -h) was given: print the usage and do nothing else. */
  help: boolean;
}

export interface CommandLineOptions {
  /** Accept arguments that are not flags. */
  positionals?: boolean;
  /** Text for a key whose flag is absent (an environment variable standing in for it); undefined: none. */
  fallbacks?: Record<string, string | undefined>;
}

/**
 * Parses argv into `schema`'s output. `extraFlags` are the command's own flags (not in the schema);
 * a flag in neither is an error. Every problem of the schema comes back at once, one line each.
 */
export function parseCommandLine<S extends z.ZodObject>(
  argv: string[],
  schema: S,
  extraFlags: Record<string, "string" | "boolean"> = {},
  o: CommandLineOptions = {},
): ParsedCommand<z.output<S>> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { help: { type: "boolean", short: "h" } };
  const keyOfFlag = new Map<string, string>();
  for (const [key, field] of Object.entries(shape)) {
    const flag = kebab(key);
    keyOfFlag.set(flag, key);
    options[flag] = { type: baseType(field) instanceof z.ZodBoolean ? "boolean" : "string" };
  }
  for (const [flag, type] of Object.entries(extraFlags)) options[flag] = { type };
  const parsed = parseFlags(argv, options, { positionals: o.positionals });

  const texts = new Map<string, string | boolean>();
  for (const [key, text] of Object.entries(o.fallbacks ?? {})) if (text !== undefined && key in shape) texts.set(key, text);
  const extra: Record<string, string | boolean | undefined> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    if (flag === "help") continue;
    const key = keyOfFlag.get(flag);
    if (key === undefined) extra[flag] = value as string | boolean;
    else texts.set(key, value as string | boolean);
  }
  const raw: Record<string, unknown> = {};
  for (const [key, value] of texts) {
    const type = baseType(shape[key]!);
    if (type instanceof z.ZodBoolean && typeof value === "string") raw[key] = value === "true" || value === "1";
    else raw[key] = type instanceof z.ZodNumber && typeof value === "string" ? toNumber(kebab(key), value) : value;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    // A problem of one field names its flag; a rule between fields names its flags itself.
    const lines = result.error.issues.map((i) => (i.path.length ? `--${kebab(String(i.path[0]))}: ${i.message}` : i.message));
    throw new UsageError(lines.join("\n"));
  }
  return { values: result.data, extra, positionals: parsed.positionals, help: parsed.values.help === true };
}

export interface FlagRow {
  /** The schema's key (camelCase). */
  key: string;
  /** The flag, without its dashes (kebab-case). */
  flag: string;
  /** What it takes: "number", "string", the enum's values joined by "|", "" for a switch. */
  kind: string;
  /** The default as its flag would be written; undefined when none. */
  default?: string;
  /** The field's description, where it has one. */
  help?: string;
}

/** A schema's flags, in order. */
export function flagTable(schema: z.ZodObject): FlagRow[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => {
    const t = baseType(field);
    const kind = t instanceof z.ZodEnum ? (t.options as string[]).join("|") : t instanceof z.ZodNumber ? "number" : t instanceof z.ZodBoolean ? "" : "string";
    return { key, flag: kebab(key), kind, default: defaultText(field), help: field.description };
  });
}

/** Lists a schema's flags with their defaults and, where the field has one, its description, for --help. */
export function describeFlags(schema: z.ZodObject): string {
  const rows = flagTable(schema).map((f) => ({
    text: `  --${f.flag}${f.kind ? ` <${f.kind}>` : ""}${f.default === undefined ? "" : ` (default ${f.default})`}`,
    help: f.help,
  }));
  const width = Math.max(0, ...rows.map((r) => (r.help ? r.text.length : 0)));
  return rows.map((r) => (r.help ? `${r.text.padEnd(width)}  ${r.help}` : r.text)).join("\n");
}

/** `--help` text for plain parseArgs options (commands whose flags are not a zod schema). */
export function describeOptions(options: NonNullable<ParseArgsConfig["options"]>): string {
  return Object.entries(options)
    .filter(([flag]) => flag !== "help")
    .map(([flag, o]) => `  --${flag}${o.type === "string" ? " <value>" : ""}${o.default === undefined ? "" : ` (default ${String(o.default)})`}`)
    .join("\n");
}

/** What a command does after its main: exit with this code, or (undefined) end by itself. */
export type CommandResult = number | void;

/**
 * Runs a command's main and ends it the way every command ends: a UsageError prints its line(s) and
 * "(see --help)" and exits 2; any other error prints `${prefix} ${message}` and exits `failureExit`.
 */
export function runCommand(
  main: () => Promise<CommandResult>,
  o: { prefix: string; failureExit?: number; explain?: (err: unknown) => string },
): void {
  main().then(
    (code) => {
      if (typeof code === "number") process.exit(code);
    },
    (err: unknown) => {
      if (err instanceof UsageError) failUsage(err);
      console.error(`${o.prefix} ${o.explain?.(err) ?? toError(err).message}`);
      process.exit(o.failureExit ?? 1);
    },
  );
}

/** Reports a usage error as every command does and exits 2. */
export function failUsage(err: UsageError): never {
  console.error(`${err.message}\n(see --help)`);
  process.exit(2);
}

/** `parse()`, or its usage error reported as every command does: for scripts that parse at their top level. */
export function orUsageExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof UsageError) failUsage(err);
    throw err;
  }
}
