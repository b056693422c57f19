/**
 * Entry point of one rank process started by `runRankProcesses`. Protocol over the IPC channel:
 *   parent -> child  start {rank, worldSize, algorithm, bindAddress, tuning, task, args}
 *   child  -> parent bound {address}           (after binding its receive socket)
 *   parent -> child  peers {peerAddresses}     (once every rank is bound)
 *   child  -> parent result {value} | error {message}
 * then the child closes its collective (letting queued messages drain) and exits.
 */
import type { Collective, CollectiveAlgorithm, CollectiveTuning } from '../collective';
import { bindCollective } from '../create-collective';

export interface ChildStart {
  readonly type: 'start';
  readonly rank: number;
  readonly worldSize: number;
  readonly algorithm: Exclude<CollectiveAlgorithm, 'local'>;
  readonly bindAddress: string;
  readonly tuning: CollectiveTuning;
  readonly taskModule: string;
  readonly taskExport: string;
  readonly args: unknown;
}

export interface ChildPeers {
  readonly type: 'peers';
  readonly peerAddresses: readonly string[];
}

export type ChildReply =
  | { readonly type: 'bound'; readonly address: string }
  | { readonly type: 'result'; readonly value: unknown }
  | { readonly type: 'error'; readonly message: string };

/** What a task learns about where it runs, besides its collective. */
export interface RankTaskContext {
  readonly rank: number;
  readonly worldSize: number;
  readonly peerAddresses: readonly string[];
}

type Task = (c: Collective, args: unknown, ctx: RankTaskContext) => Promise<unknown>;

function nextMessage<T>(): Promise<T> {
  return new Promise((resolve) => process.once('message', (m) => resolve(m as T)));
}

function reply(m: ChildReply): Promise<void> {
  return new Promise((resolve, reject) => process.send?.(m, undefined, {}, (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<void> {
  const start = await nextMessage<ChildStart>();
  const endpoint = await bindCollective(start.bindAddress);
  let collective: Collective | undefined;
  try {
    const peersMessage = nextMessage<ChildPeers>(); // listen before replying: the answer may be quick
    await reply({ type: 'bound', address: endpoint.address });
    const { peerAddresses } = await peersMessage;
    collective = endpoint.connect({ ...start.tuning, algorithm: start.algorithm, rank: start.rank, worldSize: start.worldSize, peerAddresses });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const task = require(start.taskModule)[start.taskExport] as Task | undefined;
    if (typeof task !== 'function') throw new Error(`${start.taskModule} has no exported function ${start.taskExport}`);
    const value = await task(collective, start.args, { rank: start.rank, worldSize: start.worldSize, peerAddresses });
    await reply({ type: 'result', value });
  } catch (err) {
    await reply({ type: 'error', message: (err as Error).stack ?? String(err) });
  } finally {
    if (collective) await collective.close();
    else endpoint.close();
    process.disconnect?.();
  }
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`rank process: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
