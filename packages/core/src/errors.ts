/**
 * Typed errors. A `RewardkitError` is a user-facing failure: the apps print its message (no stack
 * trace) and exit non-zero. Anything else escaping to the top is a bug and keeps its stack.
 */
export class RewardkitError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Where in an input file a problem sits; every data error names it. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based line number (for JSONL) or record index + 1 (for arrays and tables). */
  readonly line?: number;
  readonly field?: string;
}

export function formatLocation(loc: SourceLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.field !== undefined) s += ` field "${loc.field}"`;
  return s;
}

/** Bad input data: names the file, line and field. */
export class DataError extends RewardkitError {
  constructor(
    readonly location: SourceLocation,
    readonly problem: string,
  ) {
    super('E_DATA', `${formatLocation(location)}: ${problem}`);
  }
}

/** An invalid run config or command-line option. */
export class ConfigError extends RewardkitError {
  constructor(message: string) {
    super('E_CONFIG', message);
  }
}

/** Unknown plugin names, name clashes, malformed plugin packages. */
export class PluginError extends RewardkitError {
  constructor(message: string) {
    super('E_PLUGIN', message);
  }
}

/** A checkpoint or exported model that cannot be read or does not match. */
export class CheckpointError extends RewardkitError {
  constructor(message: string) {
    super('E_CHECKPOINT', message);
  }
}

/** A distributed-training failure: names the rank and step. */
export class CollectiveError extends RewardkitError {
  constructor(message: string) {
    super('E_COLLECTIVE', message);
  }
}
