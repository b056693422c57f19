import { ConfigError } from '@rewardkit/core';

/**
 * `--set a.b=value` -> { a: { b: value } }; the value is JSON when it parses as JSON, else text
 * (`--set 'evaluators=["accuracy",{"name":"calibration","config":{"bins":15}}]'`).
 */
export function parseSetOverride(entry: string): Record<string, unknown> {
  const eq = entry.indexOf('=');
  if (eq <= 0) throw new ConfigError(`--set expects key=value, got "${entry}"`);
  const raw = entry.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    if (/^\s*[[{]/.test(raw)) throw new ConfigError(`--set ${entry.slice(0, eq)}: the value ${raw} looks like JSON but does not parse`);
  }
  return entry
    .slice(0, eq)
    .split('.')
    .reduceRight<unknown>((acc, k) => ({ [k]: acc }), value) as Record<string, unknown>;
}
