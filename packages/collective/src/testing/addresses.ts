/**
 * Unique addresses per test, as zeromq.js's own tests do: a fresh ipc path under the OS temp
 * directory (ipc paths must stay under ~100 bytes), or tcp on loopback with port 0 so the kernel
 * picks a free port at bind time (the bound address is then read back from the socket).
 */
import os from 'node:os';
import path from 'node:path';

export type Transport = 'ipc' | 'tcp';
export const TRANSPORTS: readonly Transport[] = ['ipc', 'tcp'];

let counter = 0;

export function bindAddressFor(transport: Transport, label = 'rank'): string {
  if (transport === 'tcp') return 'tcp://127.0.0.1:0';
  const unique = `${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  return `ipc://${path.join(os.tmpdir(), `rk-${unique}-${label}`)}`;
}
