import { DataError } from '@rewardkit/core';
import { recordToPair, splitTranscript } from './record-to-pair';

const at = { file: 'pairs.jsonl', line: 7 };

function problem(record: unknown, columns = {}): DataError {
  try {
    recordToPair(record, at, columns);
  } catch (err) {
    if (err instanceof DataError) return err;
    throw err;
  }
  throw new Error('expected a DataError');
}

describe('recordToPair', () => {
  it('takes prompt/chosen/rejected strings as they are, with margin, source and id', () => {
    const pair = recordToPair({ prompt: 'Q:', chosen: ' yes', rejected: ' no', margin: 0.5, source: 'hh', id: 12 }, at);
    expect(pair).toEqual({
      id: '12',
      prompt: 'Q:',
      chosen: ' yes',
      rejected: ' no',
      margin: 0.5,
      category: 'hh',
      origin: { file: 'pairs.jsonl', line: 7 },
    });
  });

  it('ids records without one by file:line and prefers category over source', () => {
    const pair = recordToPair({ prompt: '', chosen: 'a', rejected: 'b', category: 'c', source: 's' }, at);
    expect(pair.id).toBe('pairs.jsonl:7');
    expect(pair.category).toBe('c');
    expect(pair.margin).toBeUndefined();
  });

  it('splits raw HH transcripts at the LAST assistant marker', () => {
    const head = '\n\nHuman: hi\n\nAssistant: hello\n\nHuman: how are you?\n\nAssistant:';
    const pair = recordToPair({ chosen: head + ' fine', rejected: head + ' go away' }, at);
    expect(pair.prompt).toBe(head);
    expect(pair.chosen).toBe(' fine');
    expect(pair.rejected).toBe(' go away');
    expect(splitTranscript('no marker')).toBeUndefined();
  });

  it('rejects HH transcripts whose prompts differ, naming the field', () => {
    const e = problem({ chosen: '\n\nHuman: a\n\nAssistant: x', rejected: '\n\nHuman: b\n\nAssistant: y' });
    expect(e.message).toContain('pairs.jsonl:7 field "rejected"');
    expect(e.message).toContain('differs');
  });

  it('asks for a prompt when texts are not HH transcripts', () => {
    expect(problem({ chosen: 'a', rejected: 'b' }).location.field).toBe('prompt');
  });

  it('takes a conversation prefix shared by both sides as the prompt', () => {
    const user = { role: 'user', content: 'hi' };
    const pair = recordToPair(
      {
        chosen: [user, { role: 'assistant', content: 'hello' }],
        rejected: [user, { role: 'assistant', content: 'go away' }],
      },
      at,
    );
    expect(pair.prompt).toEqual([user]);
    expect(pair.chosen).toEqual([{ role: 'assistant', content: 'hello' }]);
    expect(pair.rejected).toEqual([{ role: 'assistant', content: 'go away' }]);
  });

  it('strips a separate prompt repeated at the start of whole conversations', () => {
    const pair = recordToPair(
      {
        prompt: 'hi',
        chosen: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }],
        rejected: [{ role: 'assistant', content: 'no' }],
      },
      at,
    );
    expect(pair.prompt).toEqual([{ role: 'user', content: 'hi' }]);
    expect(pair.chosen).toEqual([{ role: 'assistant', content: 'hello' }]);
    expect(pair.rejected).toEqual([{ role: 'assistant', content: 'no' }]);
  });

  it('turns plain responses into assistant turns when the prompt is a conversation', () => {
    const pair = recordToPair({ prompt: [{ role: 'user', content: 'hi' }], chosen: 'hello', rejected: 'no' }, at);
    expect(pair.chosen).toEqual([{ role: 'assistant', content: 'hello' }]);
  });

  it('reads renamed columns and names them in errors', () => {
    const cols = { prompt: 'question', chosen: 'good', rejected: 'bad', margin: 'gap', category: 'topic', id: 'key' };
    const pair = recordToPair({ question: 'Q', good: 'a', bad: 'b', gap: 2, topic: 't', key: 'k1' }, at, cols);
    expect(pair).toMatchObject({ id: 'k1', prompt: 'Q', chosen: 'a', rejected: 'b', margin: 2, category: 't' });
    expect(problem({ question: 'Q', good: 'a' }, cols).message).toContain('field "bad": missing');
  });

  it.each([
    ['a missing field', { prompt: 'p', chosen: 'a' }, 'rejected', 'missing'],
    ['a non-string field', { prompt: 'p', chosen: 5, rejected: 'b' }, 'chosen', 'a number (5)'],
    ['a non-string prompt', { prompt: true, chosen: 'a', rejected: 'b' }, 'prompt', 'a boolean'],
    ['an empty response', { prompt: 'p', chosen: '', rejected: 'b' }, 'chosen', 'empty'],
    ['a whitespace response', { prompt: 'p', chosen: 'a', rejected: ' \n\t' }, 'rejected', 'empty'],
    ['chosen == rejected', { prompt: 'p', chosen: 'same', rejected: 'same' }, 'rejected', 'identical'],
    ['a string margin', { prompt: 'p', chosen: 'a', rejected: 'b', margin: '1' }, 'margin', 'finite number'],
    ['an infinite margin', { prompt: 'p', chosen: 'a', rejected: 'b', margin: Infinity }, 'margin', 'finite number'],
    ['a bad message', { chosen: [{ role: 'user' }], rejected: [] }, 'chosen[0].content', 'expected a string'],
    ['identical conversations', { chosen: [{ role: 'user', content: 'x' }], rejected: [{ role: 'user', content: 'x' }] }, 'rejected', 'identical'],
    ['a non-string category', { prompt: 'p', chosen: 'a', rejected: 'b', source: 3 }, 'source', 'string'],
    ['a non-object record', [1, 2], undefined, 'expected an object'],
  ])('rejects %s with file, line and field', (_name, record, field, text) => {
    const e = problem(record);
    expect(e.location).toEqual({ file: 'pairs.jsonl', line: 7, field });
    expect(e.message).toContain('pairs.jsonl:7');
    if (field) expect(e.message).toContain(`field "${field}"`);
    expect(e.message).toContain(text);
  });
});
