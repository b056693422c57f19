import type { EvalPlugin, EvalReport, PairScores } from '@rewardkit/core';
import { bootstrapMeanCi, BootstrapConfigSchema, decidedPairs, pairOutcome } from '@rewardkit/eval-math';
import { z } from 'zod';
import { REWARDBENCH_SECTIONS } from './rewardbench-sections';

export const SectionsConfigSchema = z
  .object({
    /**
     * Which subsets (a record's `category`, else `source`) make up each section:
     * - "auto": RewardBench's sections when every subset is one of RewardBench's, else each subset its own section;
     * - "rewardbench": RewardBench's sections; "none": each subset its own section;
     * - `{ "Section": ["subset", ...], ... }`: your own map.
     * A subset outside the map is a section of its own.
     */
    sections: z
      .union([z.enum(['auto', 'rewardbench', 'none']), z.record(z.string().min(1), z.array(z.string().min(1)).min(1))])
      .default('auto'),
    /** Records without a category, when others have one, go in this subset. */
    uncategorized: z.string().min(1).default('uncategorized'),
    bootstrap: BootstrapConfigSchema,
  })
  .strict();
export type SectionsConfig = z.infer<typeof SectionsConfigSchema>;

export interface SubsetScore {
  readonly name: string;
  readonly n: number;
  readonly accuracy: number;
}
export interface SectionScore extends SubsetScore {
  readonly ci: [number, number];
  readonly subsets: SubsetScore[];
}

/**
 * RewardBench-style sections: accuracy per subset, a section's accuracy is its subsets' weighted by
 * size (its pairs pooled, with a bootstrap interval over them), and `sections_overall` is the plain
 * mean of the sections, so a big section does not drown the others. Nothing is reported when no
 * record has a category. Model ties count 0.5; data ties are left out.
 */
export function evaluateSections(cfg: SectionsConfig, scores: PairScores): EvalReport {
  const idx = decidedPairs(scores);
  if (!idx.some((i) => scores.pairs[i]?.category !== undefined)) return {};
  const bySubset = new Map<string, number[]>();
  for (const i of idx) {
    const subset = scores.pairs[i]?.category ?? cfg.uncategorized;
    const list = bySubset.get(subset) ?? [];
    list.push(pairOutcome(scores.chosen[i], scores.rejected[i]));
    bySubset.set(subset, list);
  }
  const map = sectionMap(cfg.sections, [...bySubset.keys()]);
  const sectionOf = new Map<string, string>();
  for (const [section, subsets] of Object.entries(map)) for (const s of subsets) if (!sectionOf.has(s)) sectionOf.set(s, section);

  const grouped = new Map<string, string[]>(); // section -> the subsets of it present, sorted
  for (const subset of [...bySubset.keys()].sort()) {
    const section = sectionOf.get(subset) ?? subset;
    grouped.set(section, [...(grouped.get(section) ?? []), subset]);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const order = [...Object.keys(map), ...[...grouped.keys()].filter((s) => !(s in map)).sort()];
  const sections: SectionScore[] = order
    .filter((name) => grouped.has(name))
    .map((name) => {
      const subsets = grouped.get(name)!;
      const outcomes = subsets.flatMap((s) => bySubset.get(s)!);
      return {
        name,
        n: outcomes.length,
        accuracy: mean(outcomes),
        ci: bootstrapMeanCi(outcomes, cfg.bootstrap),
        subsets: subsets.map((s) => ({ name: s, n: bySubset.get(s)!.length, accuracy: mean(bySubset.get(s)!) })),
      };
    });
  return { sections, sections_overall: mean(sections.map((s) => s.accuracy)) };
}

function sectionMap(sections: SectionsConfig['sections'], subsets: readonly string[]): Readonly<Record<string, readonly string[]>> {
  if (typeof sections !== 'string') return sections;
  if (sections === 'rewardbench') return REWARDBENCH_SECTIONS;
  if (sections === 'none') return {};
  const known = new Set(Object.values(REWARDBENCH_SECTIONS).flat());
  return subsets.every((s) => known.has(s)) ? REWARDBENCH_SECTIONS : {};
}

export const sections: EvalPlugin<SectionsConfig> = {
  kind: 'eval',
  name: 'sections',
  description: 'accuracy per category/source and RewardBench-style sections (subsets weighted by size, overall = mean of sections)',
  configSchema: SectionsConfigSchema,
  create: (cfg) => ({ evaluate: (scores) => evaluateSections(cfg, scores) }),
};
