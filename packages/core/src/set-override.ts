import { ConfigError } from './errors';

// `--set key=value` overrides of a run config, one parser for the trainer and the evaluator.

/** A value meant as JSON: an object, array or quoted string, a literal, or a whole numeral (`01`, `.5`, `1e` included). */
const LOOKS_LIKE_JSON = /^\s*([{["]|(true|false|null)\s*$|[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d*)?\s*$)/i;

/**
 * `a.b.c=value` -> { a: { b: { c: value } } }. A value that looks like JSON must parse as JSON
 * (a typo in `{"dim": 64,}` is an error, not the string `{"dim": 64,}`); anything else is a plain string.
 */
export function parseSetOverride(entry: string): Record<string, unknown> {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${entry}"`);
  const key = entry.slice(0, eq);
  const raw = entry.slice(eq + 1);
  let value: unknown = raw;
  if (LOOKS_LIKE_JSON.test(raw)) {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new ConfigError(
        `--set ${key}: the value ${raw} looks like JSON but the JSON failed to parse: ${(err as Error).message} ` +
          `(quote it as a JSON string, e.g. ${key}='"text"', to pass it as text)`,
      );
    }
  }
  return key.split('.').reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;
}
