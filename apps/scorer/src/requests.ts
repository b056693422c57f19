/** Request bodies of the scoring routes, validated with zod; a failure is a 400 naming the field. */
import { z } from 'zod';

const message = z.object({ role: z.string(), content: z.string() });
/** A string, or a conversation as {role, content} messages (rendered as training renders it). */
export const textOrChat = z.union([z.string(), z.array(message)], { error: 'expected a string or a list of {role, content} messages' });

export const scoreItem = z.object({
  prompt: textOrChat,
  responses: z.array(textOrChat).min(1),
});

const single = scoreItem.extend({ normalize: z.boolean().optional() });
const batch = z.object({ batch: z.array(scoreItem).min(1), normalize: z.boolean().optional() });
const list = z.array(scoreItem).min(1);

/**
 * POST /score: one `{prompt, responses}`, a list of them, or `{batch: [...]}`; `normalize` optional.
 * The form is chosen by shape first, so an error names the field (a zod union would only say
 * "Invalid input").
 */
export const scoreBody = {
  safeParse(body: unknown) {
    if (Array.isArray(body)) return list.safeParse(body);
    if (typeof body === 'object' && body !== null && 'batch' in body) return batch.safeParse(body);
    return single.safeParse(body);
  },
};
export type ScoreBody = z.infer<typeof single> | z.infer<typeof batch> | z.infer<typeof list>;

/**
 * POST /get_reward, as OpenRLHF's remote reward client sends it (openrlhf/utils/remote_rm_utils.py:
 * `{"query": [...], "prompts": [...], "labels": [...]}`): each query is the full text, prompt then
 * response; `prompts` (optional) lets the server split them; `labels` is ignored.
 */
export const openRlhfBody = z.object({
  query: z.array(z.string()).min(1),
  prompts: z.array(z.string()).nullish(),
  labels: z.unknown().optional(),
});
