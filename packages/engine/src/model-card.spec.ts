import { modelCard, pythonScoringSnippet } from './model-card';

const info = { steps: 250, maxLength: 96, loss: 'bradley-terry', eval: { accuracy: 0.62346, n: 555 }, trainedOn: 'train.jsonl' };

describe('model card', () => {
  it('gives the held-out figures and, for a Hugging Face model, the Python snippet at the trained length', () => {
    const card = modelCard({
      modelName: 'transformer',
      tokenizerName: 'gpt2-bpe',
      hfConfig: { architectures: ['GPT2ForSequenceClassification'], pad_token_id: 50257, eos_token_id: 50256 },
      pad: { padId: 50257, addedToken: true, addedRows: 1, embedding: 'transformer.wte.weight' },
      info,
    });
    expect(card).toContain('- accuracy: 0.6235\n- n: 555');
    expect(card).toContain('```python\n' + pythonScoringSnippet(96) + '\n```');
    expect(card).toContain('MAX_LENGTH = 96');
    expect(card).toMatch(/pad token `<\|pad\|>` \(id 50257\).*1 extra \(zero\) row/);
  });

  it('says when a model has no Hugging Face counterpart, and when nothing was held out', () => {
    const card = modelCard({ modelName: 'bag-of-embeddings', tokenizerName: 'gpt2-bpe', info: { steps: 3 } });
    expect(card).toContain('no Hugging Face counterpart');
    expect(card).toContain('none recorded (no held-out set)');
    expect(card).not.toContain('```python');
  });
});
