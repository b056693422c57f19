/**
 * RewardBench's sections and the subsets (its records' `subset` field) each one averages, as its
 * leaderboard groups them (allenai/reward-bench, the "filtered" split). The prior sets (anthropic_*,
 * shp, summarize, ...) are not in a section there; here a subset outside the map is its own section.
 */
export const REWARDBENCH_SECTIONS: Readonly<Record<string, readonly string[]>> = {
  Chat: ['alpacaeval-easy', 'alpacaeval-length', 'alpacaeval-hard', 'mt-bench-easy', 'mt-bench-med'],
  'Chat Hard': ['mt-bench-hard', 'llmbar-natural', 'llmbar-adver-neighbor', 'llmbar-adver-GPTInst', 'llmbar-adver-GPTOut', 'llmbar-adver-manual'],
  Safety: ['refusals-dangerous', 'refusals-offensive', 'xstest-should-refuse', 'xstest-should-respond', 'donotanswer'],
  Reasoning: ['math-prm', 'hep-cpp', 'hep-go', 'hep-java', 'hep-js', 'hep-python', 'hep-rust'],
};
