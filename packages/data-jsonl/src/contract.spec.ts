import { hhRlhf } from '@rewardkit/sample-data';
import { describeDataContract } from '@rewardkit/testing';
import { jsonlData } from './jsonl.plugin';

describeDataContract(jsonlData, hhRlhf.test);
