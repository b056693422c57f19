/**
 * The one logger packages write through. Lines go to stderr so that stdout stays machine-readable
 * (the evaluator's `--json` line, for instance). A sink can be swapped (tests capture lines, the
 * trainer routes them around its progress bar).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (level: LogLevel, line: string) => void;

const stderrSink: LogSink = (_level, line) => {
  process.stderr.write(line + '\n');
};

let sink: LogSink = stderrSink;
let threshold: number = LEVELS[(process.env.REWARDKIT_LOG_LEVEL as LogLevel) ?? 'info'] ?? LEVELS.info;

export function setLogSink(next: LogSink | undefined): void {
  sink = next ?? stderrSink;
}

export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(scope: string): Logger;
}

/** Passes an already formatted line (e.g. a worker process's log line) through the current sink. */
export function logRaw(level: LogLevel, line: string): void {
  if (LEVELS[level] >= threshold) sink(level, line);
}

export function createLogger(scope: string): Logger {
  const emit = (level: LogLevel, msg: string): void => {
    if (LEVELS[level] < threshold) return;
    const tag = level === 'info' ? '' : `${level.toUpperCase()} `;
    sink(level, `[${scope}] ${tag}${msg}`);
  };
  return {
    debug: (m) => emit('debug', m),
    info: (m) => emit('info', m),
    warn: (m) => emit('warn', m),
    error: (m) => emit('error', m),
    child: (s) => createLogger(`${scope}:${s}`),
  };
}
