/**
 * Version of the wire protocol (proto/rewardkit/v1 plus the framing in codec.ts). Bump it on any change
 * an older peer would misread: a renumbered or retyped field, a new payload layout, a changed meaning.
 * Adding an optional field that old peers may ignore does not need a bump.
 */
export const PROTOCOL_VERSION = 3; // 3: shards carry units (rankings, ties), score requests distinct rows
