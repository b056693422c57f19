export { sections, SectionsConfigSchema, evaluateSections, type SectionsConfig, type SectionScore, type SubsetScore } from './sections.plugin';
export { REWARDBENCH_SECTIONS } from './rewardbench-sections';
export { register } from './register';
