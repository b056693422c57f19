import { RewardkitError } from '@rewardkit/core';

/**
 * A message that breaks the wire protocol: undecodable, oversized, payload frames that disagree with
 * their header, a Hello from the wrong job or protocol version. The coordinator answers such a peer
 * with Refused and logs this message; a worker logs it and exits.
 */
export class ProtocolError extends RewardkitError {
  constructor(message: string) {
    super('E_PROTOCOL', message);
  }
}
