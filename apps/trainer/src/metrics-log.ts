import fs from 'node:fs';
import path from 'node:path';

/** Appends one JSON object per line to `metrics.jsonl`; a resumed run keeps appending. */
export class MetricsLog {
  private readonly fd: number;

  constructor(runDir: string) {
    this.fd = fs.openSync(path.join(runDir, 'metrics.jsonl'), 'a');
  }

  write(record: Record<string, unknown>): void {
    fs.writeSync(this.fd, JSON.stringify({ time: new Date().toISOString(), ...record }) + '\n');
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
