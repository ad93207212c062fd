// Command-line flags for the engine's commands, read against a zod object schema: `--kebab-case`
// flags map to the schema's camelCase keys, values are converted by the field's type, and every
// problem comes back as one readable message (never a stack trace).
import { parseArgs } from "node:util";
import { z } from "zod";

export class UsageError extends Error {
  override name = "UsageError";
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The innermost type of a field (through defaults and optionals), for deciding how to read it. */
function baseType(field: z.ZodType): z.ZodType {
  let t: z.ZodType = field;
  while (t instanceof z.ZodDefault || t instanceof z.ZodOptional || t instanceof z.ZodNullable) {
    t = (t as z.ZodDefault<z.ZodType>).unwrap() as z.ZodType;
  }
  return t;
}

export interface ParsedCommand<T> {
  values: T;
  /** Flags the command handles itself (e.g. --out), as strings or booleans. */
  extra: Record<string, string | boolean | undefined>;
  /** Arguments that are not flags; only where the command accepts them (e.g. model folders). */
  positionals: string[];
}

/**
 * Parses argv into `schema`'s output. `extraFlags` are the command's own flags (not in the schema);
 * a flag in neither is an error, so a typo never silently falls back to a default.
 */
export function parseCommandLine<S extends z.ZodObject>(
  argv: string[],
  schema: S,
  extraFlags: Record<string, "string" | "boolean"> = {},
  o: { positionals?: boolean } = {},
): ParsedCommand<z.output<S>> {
  const shape = schema.shape as Record<string, z.ZodType>;
  const options: Record<string, { type: "string" | "boolean" }> = {};
  const keyOfFlag = new Map<string, string>();
  for (const [key, field] of Object.entries(shape)) {
    const flag = kebab(key);
    keyOfFlag.set(flag, key);
    options[flag] = { type: baseType(field) instanceof z.ZodBoolean ? "boolean" : "string" };
  }
  for (const [flag, type] of Object.entries(extraFlags)) options[flag] = { type };

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: o.positionals ?? false });
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional.*$/s, ""));
  }

  const raw: Record<string, unknown> = {};
  const extra: Record<string, string | boolean | undefined> = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    const key = keyOfFlag.get(flag);
    if (key === undefined) {
      extra[flag] = value as string | boolean;
      continue;
    }
    const type = baseType(shape[key]!);
    if (type instanceof z.ZodNumber) {
      const n = Number(value);
      if (value === "" || !Number.isFinite(n)) throw new UsageError(`--${flag} expects a number, got "${value}"`);
      raw[key] = n;
    } else {
      raw[key] = value;
    }
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `--${kebab(String(i.path[0] ?? ""))}: ${i.message}`);
    throw new UsageError(lines.join("\n"));
  }
  return { values: result.data, extra, positionals: parsed.positionals };
}

/** Lists a schema's flags with their defaults, for --help. */
export function describeFlags(schema: z.ZodObject): string {
  const lines: string[] = [];
  for (const [key, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const t = baseType(field);
    const def = field instanceof z.ZodDefault ? ` (default ${JSON.stringify((field.def as { defaultValue: unknown }).defaultValue)})` : "";
    const kind = t instanceof z.ZodEnum ? (t.options as string[]).join("|") : t instanceof z.ZodNumber ? "number" : t instanceof z.ZodBoolean ? "" : "string";
    lines.push(`  --${kebab(key)}${kind ? ` <${kind}>` : ""}${def}`);
  }
  return lines.join("\n");
}
