// Markdown and number formatting shared by every section of the report, so that an accuracy, a gain
// or a correlation reads the same wherever it appears: accuracies and rewards with 3 decimals, gains
// signed, rho with 2.

/** Where each section's human-written discussion goes; the report leaves it for a person to fill. */
export const DISCUSSION_PLACEHOLDER = "<!-- discussion -->\n_Discussion: to be written (a reasoned account of why the numbers above look the way they do)._";

export function acc(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(3);
}

export function signed(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
}

export function rhoText(rho: number | null): string {
  return rho === null || Number.isNaN(rho) ? "undefined" : rho.toFixed(2);
}

/** A peak with the step it was reached at, "–" when there is none. */
export function peakText(v: { peak: number | null; peakStep: number | null }): string {
  return v.peak === null ? "–" : `${acc(v.peak)} (step ${v.peakStep})`;
}

export function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  return [
    `| ${header.map(esc).join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(esc).join(" | ")} |`),
  ].join("\n");
}

export function image(file: string, alt: string): string {
  return `![${alt}](${file})`;
}

export function perSeed<T>(xs: readonly { seed: number; value: T }[], f: (v: T) => string): string {
  return xs.length === 0 ? "–" : xs.map((x) => `s${x.seed}: ${f(x.value)}`).join(" · ");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
