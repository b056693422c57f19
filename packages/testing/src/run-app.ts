import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface AppRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const root = path.resolve(__dirname, '..', '..', '..');

/** Runs an app entry point (`apps/<name>/src/main.ts`) through tsx, as `nx run` does. */
export function runApp(app: string, args: readonly string[], options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): AppRun {
  const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const res = spawnSync(process.execPath, [tsx, path.join(root, 'apps', app, 'src', 'main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    env: { ...process.env, ...options.env },
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}
