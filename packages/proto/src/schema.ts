/**
 * The wire schema at run time: protobufjs reflection over proto/rewardkit/v1/rewardkit.proto, loaded
 * once. The .proto is the single source of truth; the TypeScript types in ./generated are derived
 * from the same file by scripts/generate.ts, and a test fails when they drift apart.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as protobuf from 'protobufjs';

/** Package of every message; reflection names are `${PROTO_PACKAGE}.Envelope` and so on. */
export const PROTO_PACKAGE = 'rewardkit.v1';

/** The schema file relative to the repository's proto/ directory. */
export const PROTO_FILE = 'rewardkit/v1/rewardkit.proto';

/**
 * Where proto/ is. Sources run in place (jest via swc, tsx), so __dirname is packages/proto/src and
 * the repository root is three levels up. A bundle that moves this file elsewhere sets
 * REWARDKIT_PROTO_DIR to a directory holding rewardkit/v1/rewardkit.proto.
 */
export function protoDir(): string {
  return process.env.REWARDKIT_PROTO_DIR ?? path.resolve(__dirname, '../../../proto');
}

/** Parse options shared by the run-time loader and the generator (`//` comments become docs). */
export const PARSE_OPTIONS: protobuf.IParseOptions = { keepCase: false, alternateCommentMode: true };

let cached: protobuf.Root | undefined;

/** Loads and resolves the schema (cached). Throws naming the path when the file is missing. */
export function loadSchema(): protobuf.Root {
  if (cached) return cached;
  const file = path.join(protoDir(), PROTO_FILE);
  if (!fs.existsSync(file)) {
    throw new Error(`rewardkit wire schema not found at ${file} (set REWARDKIT_PROTO_DIR to the proto/ directory)`);
  }
  const root = new protobuf.Root().loadSync(file, PARSE_OPTIONS);
  root.resolveAll();
  cached = root;
  return root;
}

/** The reflected Envelope type, the only top-level message. */
export function envelopeType(): protobuf.Type {
  return loadSchema().lookupType(`${PROTO_PACKAGE}.Envelope`);
}
