/**
 * The coordinator's admission check of a Hello. It returns the reason to put in a Refused message (and
 * log: peer-supplied parts are escaped), or undefined to accept. The token is compared in constant time: the reply to a wrong guess
 * should not reveal how much of it was right.
 */
import crypto from 'node:crypto';
import { printable } from '@rewardkit/core';
import type { Hello } from './generated/rewardkit';
import { PROTOCOL_VERSION } from './version';

export interface AdmissionPolicy {
  readonly jobId: string;
  readonly token: string;
}

export function refusalReason(hello: Hello, policy: AdmissionPolicy): string | undefined {
  if (hello.protocolVersion !== PROTOCOL_VERSION) {
    return `protocol version ${hello.protocolVersion} is not supported (this coordinator speaks ${PROTOCOL_VERSION}); run the same rewardkit build everywhere`;
  }
  if (hello.jobId !== policy.jobId) return `job id ${printable(hello.jobId)} is not this job (${printable(policy.jobId)})`;
  if (!tokensEqual(hello.token, policy.token)) return 'wrong token';
  if (!hello.collectiveAddress) return 'hello carries no collective_address (bind the collective socket before saying hello)';
  return undefined;
}

/** Constant-time comparison; hashing first makes lengths equal, as timingSafeEqual requires. */
export function tokensEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}
