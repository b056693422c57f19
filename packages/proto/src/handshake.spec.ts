import { PROTOCOL_VERSION, refusalReason, tokensEqual, type Hello } from './index';

const hello: Hello = {
  jobId: 'job',
  protocolVersion: PROTOCOL_VERSION,
  token: 'tok',
  workerId: 'w0',
  pid: 1,
  hostname: 'h',
  backend: 'cpu',
  collectiveAddress: 'tcp://127.0.0.1:5000',
};
const policy = { jobId: 'job', token: 'tok' };

describe('refusalReason', () => {
  it('accepts a matching hello', () => {
    expect(refusalReason(hello, policy)).toBeUndefined();
  });
  it('names a protocol version mismatch', () => {
    expect(refusalReason({ ...hello, protocolVersion: PROTOCOL_VERSION + 1 }, policy)).toMatch(
      new RegExp(`protocol version ${PROTOCOL_VERSION + 1} is not supported \\(this coordinator speaks ${PROTOCOL_VERSION}\\)`),
    );
  });
  it('names another job', () => {
    expect(refusalReason({ ...hello, jobId: 'other' }, policy)).toMatch(/job id "other" is not this job \("job"\)/);
  });
  it('refuses a wrong token without echoing it', () => {
    const reason = refusalReason({ ...hello, token: 'guess' }, policy);
    expect(reason).toBe('wrong token');
    expect(tokensEqual('a', 'a')).toBe(true);
    expect(tokensEqual('a', 'ab')).toBe(false);
  });
  it('requires a collective address', () => {
    expect(refusalReason({ ...hello, collectiveAddress: '' }, policy)).toMatch(/no collective_address/);
  });
});
