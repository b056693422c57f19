import { parseSetOverride } from './set-override';

// The trainer's cases (JSON-looking values that fail, numerals, paths) are in apps/trainer/src/launch-options.spec.ts.
describe('parseSetOverride', () => {
  it('nests dotted keys and parses JSON values (the evaluator list of the evaluator CLI)', () => {
    expect(parseSetOverride('evaluators=["accuracy"]')).toEqual({ evaluators: ['accuracy'] });
    expect(parseSetOverride('evaluators=["accuracy",{"name":"calibration","config":{"bins":15}}]')).toEqual({
      evaluators: ['accuracy', { name: 'calibration', config: { bins: 15 } }],
    });
    expect(parseSetOverride('data.loader.name=jsonl')).toEqual({ data: { loader: { name: 'jsonl' } } });
  });

  it('refuses a JSON-looking value that does not parse, and an entry without "="', () => {
    expect(() => parseSetOverride('evaluators=[accuracy]')).toThrow(/--set evaluators: .*looks like JSON but the JSON failed to parse/);
    expect(() => parseSetOverride('novalue')).toThrow(/key=value/);
  });
});
