import { DataError, isRanking, type PreferencePair, type PreferenceRanking } from '@rewardkit/core';
import { recordToUnit } from './record-to-unit';

const at = { file: 'units.jsonl', line: 4 };

function problem(record: unknown): DataError {
  try {
    recordToUnit(record, at);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}
const pairOf = (r: unknown) => recordToUnit(r, at) as PreferencePair;
const rankingOf = (r: unknown) => recordToUnit(r, at) as PreferenceRanking;

describe('recordToUnit: pairs with ties and strengths', () => {
  it('reads tie: true and label: 0.5 as a tie, label: 1 as a plain pair', () => {
    expect(pairOf({ prompt: 'Q', chosen: 'a', rejected: 'b', tie: true }).tie).toBe(true);
    expect(pairOf({ prompt: 'Q', chosen: 'a', rejected: 'b', label: 0.5 }).tie).toBe(true);
    expect(pairOf({ prompt: 'Q', chosen: 'a', rejected: 'b', label: 1 }).tie).toBeUndefined();
    expect(pairOf({ prompt: 'Q', chosen: 'a', rejected: 'b', label: 'b' }).tie).toBeUndefined(); // the labeler's A/B label
    expect(pairOf({ prompt: 'Q', chosen: 'a', rejected: 'b', tie: false, margin: 1 })).toMatchObject({ margin: 1 });
  });

  it('reads an annotated strength', () => {
    expect(pairOf({ prompt: 'Q', chosen: 'a', rejected: 'b', strength: 3 }).strength).toBe(3);
  });

  it.each([
    [{ prompt: 'Q', chosen: 'a', rejected: 'b', tie: true, margin: 0.5 }, 'margin', /a tie has no margin/],
    [{ prompt: 'Q', chosen: 'a', rejected: 'b', label: 0.5, strength: 2 }, 'strength', /a tie has no preference strength/],
    [{ prompt: 'Q', chosen: 'a', rejected: 'b', tie: 'yes' }, 'tie', /expected true or false/],
    [{ prompt: 'Q', chosen: 'a', rejected: 'b', label: 0.7 }, 'label', /expected 0.5 \(a tie\) or 1/],
    [{ prompt: 'Q', chosen: 'a', rejected: 'b', label: 1, tie: true }, 'label', /contradicts "tie": true/],
    [{ prompt: 'Q', chosen: 'a', rejected: 'b', strength: -1 }, 'strength', /expected a number >= 0/],
  ])('rejects a wrongly mixed pair %#, naming file:line:field', (record, field, message) => {
    const err = problem(record);
    expect(err.location).toMatchObject({ file: 'units.jsonl', line: 4, field });
    expect(err.message).toMatch(message);
  });
});

describe('recordToUnit: rankings', () => {
  it('reads {prompt, responses, ranking} with ties, category and id', () => {
    const r = rankingOf({ prompt: 'Q:', responses: [' a', ' b', ' c'], ranking: [1, 0, 1], source: 'k', id: 'r1' });
    expect(isRanking(r)).toBe(true);
    expect(r).toEqual({ id: 'r1', prompt: 'Q:', responses: [' a', ' b', ' c'], ranking: [1, 0, 1], category: 'k', origin: { file: 'units.jsonl', line: 4 } });
  });

  it('splits HH transcripts at the last assistant turn', () => {
    const head = '\n\nHuman: hi\n\nAssistant:';
    const r = rankingOf({ responses: [head + ' x', head + ' y'], ranking: [0, 1] });
    expect(r.prompt).toBe(head);
    expect(r.responses).toEqual([' x', ' y']);
  });

  it('takes chat conversations: the messages all share are the prompt', () => {
    const user = { role: 'user', content: 'hi' };
    const say = (content: string) => [user, { role: 'assistant', content }];
    const r = rankingOf({ responses: [say('a'), say('b'), say('c')], ranking: [2, 0, 1] });
    expect(r.prompt).toEqual([user]);
    expect(r.responses).toEqual([[{ role: 'assistant', content: 'a' }], [{ role: 'assistant', content: 'b' }], [{ role: 'assistant', content: 'c' }]]);
  });

  it.each([
    [{ prompt: 'Q', responses: ['a', 'b', 'c'], ranking: [0, 1] }, 'ranking', /has 2 ranks for 3 responses/],
    [{ prompt: 'Q', responses: ['a'], ranking: [0] }, 'responses', /at least 2 responses/],
    [{ prompt: 'Q', responses: ['a', 'b'], ranking: [0, 1], chosen: 'a' }, 'chosen', /a ranking record .* has no "chosen"/],
    [{ prompt: 'Q', responses: ['a', 'b'], ranking: [0, 1], tie: true }, 'tie', /has no "tie"/],
    [{ prompt: 'Q', responses: ['a', 'b'], ranking: [0, 1], margin: 1 }, 'margin', /has no "margin"/],
    [{ prompt: 'Q', responses: ['a', 'b'] }, 'ranking', /missing/],
    [{ prompt: 'Q', ranking: [0, 1] }, 'responses', /missing/],
    [{ prompt: 'Q', responses: ['a', 'b'], ranking: [0, 1.5] }, 'ranking[1]', /expected a rank/],
    [{ prompt: 'Q', responses: ['a', 'a'], ranking: [0, 1] }, 'responses[1]', /identical to responses\[0\]/],
    [{ prompt: 'Q', responses: ['a', 7], ranking: [0, 1] }, 'responses[1]', /expected a string or a list/],
    [{ prompt: 'Q', responses: 'ab', ranking: [0, 1] }, 'responses', /expected a list of responses/],
  ])('rejects a malformed ranking %#, naming file:line:field', (record, field, message) => {
    const err = problem(record);
    expect(err.location).toMatchObject({ file: 'units.jsonl', line: 4, field });
    expect(err.message).toMatch(message);
  });
});
