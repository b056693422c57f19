import { parseSetOverride } from './set-override';

describe('parseSetOverride', () => {
  it('nests the key and parses JSON values, else keeps text', () => {
    expect(parseSetOverride('evaluators=["accuracy"]')).toEqual({ evaluators: ['accuracy'] });
    expect(parseSetOverride('data.loader.name=jsonl')).toEqual({ data: { loader: { name: 'jsonl' } } });
    expect(() => parseSetOverride('evaluators=[accuracy]')).toThrow(/looks like JSON but does not parse/);
    expect(() => parseSetOverride('novalue')).toThrow(/key=value/);
  });
});
