import path from 'node:path';
import { readNxJson } from 'nx/src/config/nx-json';

/**
 * Nx 23 asks "Share usage data with the Nx team?" on the first command in a terminal unless
 * nx.json holds a boolean `analytics` (nx/src/utils/analytics-prompt.js, ensureAnalyticsPreferenceSet):
 * `npx nx run trainer:launch` would stop at that prompt on a fresh clone.
 */
describe('nx.json', () => {
  it('answers the analytics question in advance, so no nx command stops to ask', () => {
    const root = path.resolve(__dirname, '..', '..', '..');
    expect(readNxJson(root).analytics).toBe(false);
  });
});
