/**
 * A labeler scoring worker (one process, one GPU where there are several): loads the model once,
 * then answers `score` messages over the IPC channel with the rewards of the texts it was sent,
 * scored exactly as in-process scoring does (encodeResponse + scoreSequences, same batch).
 * Started by worker-pool.ts; exits when its parent disconnects.
 */
import { initBackend } from '@rewardkit/backend';
import { createLogger, type BackendPreference, type TextOrChat } from '@rewardkit/core';
import { loadModelDir, scoreSequences } from '@rewardkit/engine';
import { createShippedRegistry, encodeResponse } from '@rewardkit/runtime';

export interface WorkerInit {
  readonly type: 'init';
  readonly model: string;
  readonly backend: BackendPreference;
  readonly plugin: readonly string[];
  readonly maxLength: number;
}
export interface WorkerScore {
  readonly type: 'score';
  readonly id: number;
  readonly items: readonly { readonly prompt: TextOrChat; readonly output: TextOrChat; readonly where: string }[];
}
export type WorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'scored'; readonly id: number; readonly rewards: number[] }
  | { readonly type: 'failed'; readonly id?: number; readonly message: string };

if (require.main === module && process.send) {
  const log = createLogger(`labeler-worker-${process.env.REWARDKIT_GPU_INDEX ?? '?'}`);
  const send = (m: WorkerReply) => process.send!(m);
  let scorer: ((m: WorkerScore) => Promise<number[]>) | undefined;
  process.on('disconnect', () => process.exit(0));
  process.on('message', (m: WorkerInit | WorkerScore) => {
    void (async () => {
      try {
        if (m.type === 'init') {
          await initBackend({ prefer: m.backend, gpu: true, logger: log });
          const { model, tokenizer } = loadModelDir(m.model, createShippedRegistry([...m.plugin]));
          scorer = async ({ items }) => {
            const enc = items.map((it) => encodeResponse(it.prompt, it.output, tokenizer, m.maxLength, it.where));
            return Array.from(await scoreSequences(model, enc.map((e) => e.ids), enc.map((e) => e.promptLength), tokenizer.padId, items.length));
          };
          send({ type: 'ready' });
        } else {
          send({ type: 'scored', id: m.id, rewards: await scorer!(m) });
        }
      } catch (err) {
        send({ type: 'failed', ...(m.type === 'score' ? { id: m.id } : {}), message: (err as Error).message });
      }
    })();
  });
}
