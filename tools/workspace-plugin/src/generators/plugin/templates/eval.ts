import type { Names } from '../names';

/** An evaluator to start from: the share of pairs won by a clear gap. */
export function evalSource(n: Names): string {
  const metric = n.value.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
  return `import type { EvalPlugin } from '@rewardkit/core';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    minGap: z.number().min(0).default(1), // a "confident" win needs r_w - r_l above this
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

/**
 * ${n.name}: starts as the share of pairs won by at least \`minGap\`. Return flat numbers (they go to
 * metrics.jsonl); nested objects only appear in reports.
 */
export const ${n.value}: EvalPlugin<${n.type}Config> = {
  kind: 'eval',
  name: '${n.name}',
  description: '${n.name}: share of pairs the model prefers correctly by a clear gap',
  configSchema: ${n.type}ConfigSchema,
  create: (cfg) => ({
    evaluate: ({ chosen, rejected }) => {
      let confident = 0;
      for (let i = 0; i < chosen.length; i++) if (chosen[i] - rejected[i] > cfg.minGap) confident++;
      return { ${metric}_confident: chosen.length ? confident / chosen.length : 0 };
    },
  }),
};
`;
}
