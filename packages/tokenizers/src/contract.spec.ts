import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeTokenizerContract } from '@rewardkit/testing';
import { gpt2Bpe } from './gpt2-bpe.plugin';
import { huggingfaceTokenizer } from './huggingface.plugin';
import { writeTinyTokenizer } from './testing/tiny-tokenizer';

describeTokenizerContract(gpt2Bpe);

// The suite builds the tokenizer while collecting tests, so the fixture is written right away.
const dir = writeTinyTokenizer(mkdtempSync(path.join(tmpdir(), 'rk-hf-contract-')));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
describeTokenizerContract(huggingfaceTokenizer, { path: dir });
