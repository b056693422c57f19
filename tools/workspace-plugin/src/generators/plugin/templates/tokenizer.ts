import type { Names } from '../names';

/** A tokenizer to start from: UTF-8 bytes, the one that needs no vocabulary file. */
export function tokenizerSource(n: Names): string {
  return `import fs from 'node:fs';
import path from 'node:path';
import type { Tokenizer, TokenizerPlugin } from '@rewardkit/core';
import { z } from 'zod';

export const ${n.type}ConfigSchema = z
  .object({
    lowercase: z.boolean().default(false), // fold case before encoding (a smaller effective vocabulary)
  })
  .strict();
export type ${n.type}Config = z.infer<typeof ${n.type}ConfigSchema>;

const EOS = 256; // ids 0..255 are the bytes; EOS (also the pad) comes after them

/**
 * ${n.name}: starts as a byte-level tokenizer (ids are UTF-8 bytes). Replace encode/decode; keep
 * every id below vocabSize, and make save() write what recreates it from a model directory.
 */
export const ${n.value}: TokenizerPlugin<${n.type}Config> = {
  kind: 'tokenizer',
  name: '${n.name}',
  description: '${n.name} tokenizer (UTF-8 bytes to start from)',
  configSchema: ${n.type}ConfigSchema,
  create(cfg): Tokenizer {
    return {
      name: '${n.name}',
      vocabSize: EOS + 1,
      eosId: EOS,
      padId: EOS,
      encode: (text) => [...new TextEncoder().encode(cfg.lowercase ? text.toLowerCase() : text)],
      decode: (ids) => new TextDecoder().decode(Uint8Array.from(ids.filter((id) => id < EOS))),
      // nothing to load back (describe() holds the config); a vocabulary-based tokenizer writes its files here
      save: (dir) => fs.writeFileSync(path.join(dir, '${n.name}-tokenizer.json'), JSON.stringify(cfg) + '\\n'),
      describe: () => ({ name: '${n.name}', config: cfg }),
    };
  },
};
`;
}
