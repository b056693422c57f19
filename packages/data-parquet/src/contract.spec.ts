import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describeDataContract } from '@rewardkit/testing';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetData } from './parquet.plugin';

// The suite builds its loader while collecting tests, so the sample is written right away.
const dir = mkdtempSync(path.join(tmpdir(), 'rk-parquet-contract-'));
const sample = path.join(dir, 'sample.parquet');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  sample,
  new Uint8Array(
    parquetWriteBuffer({
      columnData: [
        { name: 'prompt', data: ['\n\nHuman: hi\n\nAssistant:', '\n\nHuman: 2+2?\n\nAssistant:'] },
        { name: 'chosen', data: [' Hello!', ' 4.'] },
        { name: 'rejected', data: [' Go away.', ' 5.'] },
      ],
    }),
  ),
);

describeDataContract(parquetData, sample);
