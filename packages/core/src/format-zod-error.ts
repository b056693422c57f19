import type { z } from 'zod';

/** One line per problem: `train.lr: expected number, received string`. */
export function formatZodError(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return `${path || '(root)'}: ${issue.message}`;
    })
    .join('\n');
}
