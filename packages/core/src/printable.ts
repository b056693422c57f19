/**
 * A string a peer, a file or a user chose, made safe to put inside a log line: quoted, with control
 * characters (newline, carriage return, ANSI escape) written as escapes, and cut to `max` characters.
 * A worker id like "w\n[coordinator] all workers ready" must not forge a line of its own.
 */
export function printable(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}...` : text;
  // JSON.stringify escapes C0 controls and quotes; C1 controls and DEL it leaves alone.
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
