/**
 * Generated preference pairs where word order (or the prompt) decides, on real HH-RLHF prompts.
 *
 * Every pair takes a real prompt from the embedded sample (so prompt lengths, and the truncation
 * they force, are realistic), appends one task sentence to its last human turn, and builds two
 * responses from a fixed list of content words, each with a hidden value. Four kinds:
 *
 * - negation: two independent responses of value words; a negator ("not", "never", "hardly") in
 *   front of a word flips its value, sometimes across an intensifier ("not really X"), and the
 *   intensifiers also appear un-negated. Chosen: the higher signed sum. A unigram bag sees part
 *   of it (the values), a bigram bag more (adjacent negations), neither the two-word scope.
 * - rather-than: "the A option rather than the B option" against the same words with A and B
 *   swapped; chosen puts the better word first. Both responses hold the same words AND the same
 *   bigrams, so any bag of unigrams or bigrams can only tie.
 * - comparison: "the A option is better|worse than the B option", same construction.
 * - instruction: the prompt asks for a short or a detailed answer; chosen follows it (a short
 *   answer against a long one). The prompt is the same on both sides, so a bag of the responses'
 *   words cannot tell which length was asked for.
 *
 * Labels are deterministic (chosen = better by the hidden rule): a perfect model scores 1.0.
 */
import fs from 'node:fs';

export const ORDER_KINDS = ['negation', 'rather-than', 'comparison', 'instruction'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];

export interface PreferenceRecord {
  readonly id: string;
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
  readonly category: OrderKind;
}

const NEGATORS = ['not', 'never', 'hardly'];
const INTENSIFIERS = ['really', 'very', 'quite'];
const FILLERS = ['I think', 'honestly', 'in short', 'overall', 'to be fair', 'as far as I know'];
/** Task words that must not double as value words. */
const RESERVED = new Set([...NEGATORS, ...INTENSIFIERS, 'option', 'rather', 'than', 'better', 'worse', 'the', 'short', 'detail', 'detailed']);
const STOPWORDS = new Set(
  'that this with have what would there about your they like just some were been them their when which could more also other into than then because should these those where does very only even much many being want things thing know think really people help'.split(' '),
);

/** Seeded uniform [0, 1) (LCG): the same data on every run. */
export function lcgRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

interface HhRecord {
  readonly prompt: string;
  readonly chosen: string;
  readonly rejected: string;
}

export function readHhRecords(file: string): HhRecord[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as HhRecord);
}

/** The `count` most frequent plain words (4-10 letters) of the sample's responses, minus stopwords. */
export function contentWords(records: readonly HhRecord[], count: number): string[] {
  const freq = new Map<string, number>();
  for (const r of records) {
    for (const w of `${r.chosen} ${r.rejected}`.toLowerCase().match(/[a-z]+/g) ?? []) {
      if (w.length >= 4 && w.length <= 10 && !STOPWORDS.has(w) && !RESERVED.has(w)) freq.set(w, (freq.get(w) ?? 0) + 1);
    }
  }
  return [...freq.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, count)
    .map(([w]) => w);
}

export interface OrderTaskOptions {
  /** Real prompts to build on (train and test draw from disjoint files). */
  readonly prompts: readonly string[];
  /** Value words and their hidden values (shared by train and test). */
  readonly values: ReadonlyMap<string, number>;
  readonly count: number;
  readonly seed: number;
  readonly idPrefix: string;
}

/** Hidden values, N(0, 1) per word, seeded. */
export function wordValues(words: readonly string[], seed: number): Map<string, number> {
  const rand = lcgRandom(seed);
  return new Map(words.map((w) => [w, gaussian(rand)]));
}

/** `count` records cycling through the kinds, so each kind gets a quarter. */
export function orderTaskPairs(opts: OrderTaskOptions): PreferenceRecord[] {
  const rand = lcgRandom(opts.seed);
  const words = [...opts.values.keys()];
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)];
  const value = (w: string) => opts.values.get(w) ?? 0;
  const withTask = (prompt: string, task: string) => `${prompt.replace(/\n\nAssistant:\s*$/, '')} ${task}\n\nAssistant:`;

  const negated = () => {
    const parts: string[] = [];
    let reward = 0;
    for (let i = 0; i < 8; i++) {
      const w = pick(words);
      const r = rand();
      if (r < 0.1) parts.push(`${pick(NEGATORS)} ${w}`), (reward -= value(w));
      else if (r < 0.2) parts.push(`${pick(NEGATORS)} ${pick(INTENSIFIERS)} ${w}`), (reward -= value(w));
      else if (r < 0.35) parts.push(`${pick(INTENSIFIERS)} ${w}`), (reward += value(w));
      else parts.push(w), (reward += value(w));
      if (rand() < 0.2) parts.push(pick(FILLERS));
    }
    return { text: ` ${parts.join(', ')}.`, reward };
  };
  /** Two different words whose values differ enough to decide. */
  const twoWords = () => {
    for (;;) {
      const a = pick(words);
      const b = pick(words);
      if (a !== b && Math.abs(value(a) - value(b)) > 0.3) return value(a) > value(b) ? [a, b] : [b, a];
    }
  };
  const sentence = (n: number) => Array.from({ length: n }, () => pick(words)).join(' ');

  const make: Record<OrderKind, () => { task: string; chosen: string; rejected: string }> = {
    negation: () => {
      for (;;) {
        const x = negated();
        const y = negated();
        if (Math.abs(x.reward - y.reward) > 0.3) {
          const [c, r] = x.reward > y.reward ? [x, y] : [y, x];
          return { task: 'What do you make of it?', chosen: c.text, rejected: r.text };
        }
      }
    },
    'rather-than': () => {
      const [good, bad] = twoWords();
      const filler = pick(FILLERS); // the same on both sides: only the order differs
      const say = (a: string, b: string) => ` ${filler}, I would go with the ${a} option rather than the ${b} option.`;
      const [chosen, rejected] = [say(good, bad), say(bad, good)];
      return { task: 'Which one should I choose?', chosen, rejected };
    },
    comparison: () => {
      const [good, bad] = twoWords();
      const better = rand() < 0.5;
      // "G is better than B" or "B is worse than G": both say the good word wins
      const cmp = (first: string, second: string) => ` The ${first} option is ${better ? 'better' : 'worse'} than the ${second} option.`;
      return better
        ? { task: 'How do they compare?', chosen: cmp(good, bad), rejected: cmp(bad, good) }
        : { task: 'How do they compare?', chosen: cmp(bad, good), rejected: cmp(good, bad) };
    },
    instruction: () => {
      const short = ` ${sentence(3 + Math.floor(rand() * 3))}.`;
      const long = ` ${sentence(14 + Math.floor(rand() * 6))}, ${sentence(10 + Math.floor(rand() * 6))}.`;
      return rand() < 0.5
        ? { task: 'Please keep your answer short.', chosen: short, rejected: long }
        : { task: 'Please answer in detail.', chosen: long, rejected: short };
    },
  };

  return Array.from({ length: opts.count }, (_, i) => {
    const category = ORDER_KINDS[i % ORDER_KINDS.length];
    const { task, chosen, rejected } = make[category]();
    return { id: `${opts.idPrefix}${i}`, prompt: withTask(pick(opts.prompts), task), chosen, rejected, category };
  });
}

export function writeJsonl(file: string, records: readonly PreferenceRecord[]): void {
  fs.writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
