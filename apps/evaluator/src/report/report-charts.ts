/** Which charts a report has: each one whose figures are present, in reading order. */
import { COLORS, type Chart } from './chart-theme';
import { bucketChart, marginChart, reliabilityChart, sectionChart, type Reference } from './evaluation-charts';
import type { MarginBin } from './margin-histogram';
import { bucketsOf, numberOf, reliabilityOf, sectionsOf, type Figures } from './report-figures';
import { trainingCharts } from './training-charts';
import type { MetricPoint } from './training-metrics';
import { percent } from './format';

export interface GroupedChart extends Chart {
  readonly group: 'training' | 'evaluation';
}

export function reportCharts(f: Figures, margins: readonly MarginBin[], training: readonly MetricPoint[]): GroupedChart[] {
  const accuracy = numberOf(f, 'accuracy');
  const longer = numberOf(f, 'longer_wins');
  const overall: Reference[] = accuracy === undefined ? [] : [{ v: accuracy, label: `overall ${percent(accuracy)}`, color: COLORS.eval }];
  const evaluation = [
    sectionChart(sectionsOf(f), numberOf(f, 'sections_overall')),
    reliabilityChart(reliabilityOf(f), numberOf(f, 'ece')),
    marginChart(margins),
    bucketChart(
      'length-buckets',
      'Accuracy by length difference',
      'Pairs bucketed by how much longer the chosen response is than the rejected one. A model that rewards length wins the right-hand buckets and loses the left-hand ones.',
      `length(chosen) − length(rejected)${typeof f.length_unit === 'string' ? `, ${f.length_unit}` : ''}`,
      bucketsOf(f, 'length_buckets'),
      [...overall, ...(longer === undefined ? [] : [{ v: longer, label: `longer wins ${percent(longer)}`, color: COLORS.bad }])],
    ),
    bucketChart(
      'margin-buckets',
      'Accuracy by margin',
      'Pairs bucketed by the size of their margin |r(chosen) − r(rejected)|, about equally many in each: if the margin means anything, wider margins are right more often.',
      '|margin| bucket',
      bucketsOf(f, 'margin_buckets'),
      overall,
    ),
  ];
  return [
    ...evaluation.filter((c): c is Chart => c !== undefined).map((c) => ({ ...c, group: 'evaluation' as const })),
    ...trainingCharts(training).map((c) => ({ ...c, group: 'training' as const })),
  ];
}
