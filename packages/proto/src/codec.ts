/**
 * The multipart framing: frame 0 is a protobuf Envelope (the header), frames 1..k are raw tensor
 * payloads laid out as Envelope.payloads describes. Decoding checks the total size first (before
 * protobufjs allocates anything), then the header, then that every payload frame has exactly the size
 * its spec implies, so code past the codec can trust shapes.
 */
import * as protobuf from 'protobufjs';
import { DTYPE_BYTES, dtypeOf, isWireDType, shapeSize } from './dtype';
import { ENVELOPE_BODY_CASES, type Envelope, type PayloadSpec } from './generated/rewardkit';
import { bufferOf } from './payload-view';
import { ProtocolError } from './protocol-error';
import { envelopeType } from './schema';

/** Default cap on one message (all frames): far above any control message or shard, far below harm. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** An Envelope to send; `payloads` may be left out when there are none. */
export type EnvelopeInput = WithOptionalPayloads<Envelope>;

// Distributes over the body union, so `body: 'hello'` still narrows to `hello: Hello`.
type WithOptionalPayloads<E> = E extends unknown ? Omit<E, 'payloads'> & { readonly payloads?: readonly PayloadSpec[] } : never;

export interface EncodeOptions {
  /** Reject (throw) when the encoded message would exceed this many bytes. */
  readonly maxMessageBytes?: number;
  /**
   * Copy payloads into fresh buffers (default true). zeromq.js sends frames over 128 bytes without
   * copying and `await send()` resolves when the message is queued, not delivered: a payload mutated
   * after send goes out mutated. Pass false only for arrays nobody writes again.
   */
  readonly copyPayloads?: boolean;
}

export interface DecodeOptions {
  /** Reject a message whose frames add up to more than this many bytes. */
  readonly maxMessageBytes?: number;
}

export interface DecodedMessage {
  readonly envelope: Envelope;
  /** Raw payload frames, in Envelope.payloads order, sizes already checked against their specs. */
  readonly payloads: readonly Buffer[];
}

const TO_OBJECT: protobuf.IConversionOptions = { longs: Number, enums: String, defaults: true, arrays: true, oneofs: true };

/** Encodes `envelope` and its payload arrays into ZeroMQ frames (header first). */
export function encodeMessage(
  envelope: EnvelopeInput,
  payloads: readonly ArrayBufferView[] = [],
  opts: EncodeOptions = {},
): Buffer[] {
  const specs = envelope.payloads ?? [];
  const body = envelope.body;
  if (!ENVELOPE_BODY_CASES.includes(body)) throw new ProtocolError(`cannot encode an envelope with body "${String(body)}"`);
  const value = (envelope as unknown as Record<string, unknown>)[body];
  if (value === undefined || value === null) throw new ProtocolError(`envelope body is "${body}" but its "${body}" field is missing`);
  checkPayloads(specs, payloads.map((p) => p.byteLength), 'encode', payloads);

  const type = envelopeType();
  const message = type.fromObject({ payloads: specs, [body]: value });
  const problem = type.verify(message);
  if (problem) throw new ProtocolError(`cannot encode ${body}: ${problem}`);
  const header = type.encode(message).finish();

  const frames = [bufferOf(header), ...payloads.map((p) => (opts.copyPayloads === false ? bufferOf(p) : Buffer.from(bufferOf(p))))];
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const total = totalBytes(frames);
  if (total > max) throw new ProtocolError(`${body} message of ${total} bytes exceeds maxMessageBytes (${max})`);
  return frames;
}

/** Decodes and validates frames received from a socket. Throws ProtocolError naming what is wrong. */
export function decodeMessage(frames: readonly Uint8Array[], opts: DecodeOptions = {}): DecodedMessage {
  if (frames.length === 0) throw new ProtocolError('empty message: no header frame');
  const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const total = totalBytes(frames);
  if (total > max) throw new ProtocolError(`message of ${total} bytes in ${frames.length} frames exceeds maxMessageBytes (${max})`);

  const type = envelopeType();
  let raw: Record<string, unknown>;
  try {
    raw = type.toObject(type.decode(frames[0]), TO_OBJECT);
  } catch (err) {
    throw new ProtocolError(`frame 0 (${frames[0].byteLength} bytes) is not a rewardkit Envelope: ${(err as Error).message}`);
  }
  dropNulls(raw);
  if (typeof raw.body !== 'string') {
    throw new ProtocolError('envelope has no body (empty, or a message type from a newer protocol version)');
  }
  const specs = raw.payloads as PayloadSpec[];
  const payloads = frames.slice(1).map((f) => (Buffer.isBuffer(f) ? f : bufferOf(f)));
  checkPayloads(specs, payloads.map((p) => p.byteLength), `decode ${raw.body}`);
  return { envelope: raw as unknown as Envelope, payloads };
}

function checkPayloads(
  specs: readonly PayloadSpec[],
  sizes: readonly number[],
  what: string,
  views?: readonly ArrayBufferView[],
): void {
  if (specs.length !== sizes.length) {
    throw new ProtocolError(`${what}: header describes ${specs.length} payload frames, message has ${sizes.length}`);
  }
  specs.forEach((spec, i) => {
    const where = `${what}: payload ${i} ("${spec.name}")`;
    if (!isWireDType(spec.dtype)) throw new ProtocolError(`${where} has invalid dtype ${spec.dtype}`);
    const expected = shapeSize(spec.shape) * DTYPE_BYTES[spec.dtype];
    if (sizes[i] !== expected) {
      throw new ProtocolError(`${where}: ${spec.dtype} [${spec.shape.join(', ')}] needs ${expected} bytes, frame has ${sizes[i]}`);
    }
    const actual = views ? dtypeOf(views[i]) : undefined;
    if (actual !== undefined && actual !== spec.dtype && actual !== 'DTYPE_UINT8') {
      throw new ProtocolError(`${where} is declared ${spec.dtype} but the array is ${views?.[i].constructor.name}`);
    }
  });
}

function totalBytes(frames: readonly Uint8Array[]): number {
  let n = 0;
  for (const f of frames) n += f.byteLength;
  return n;
}

/** protobufjs fills absent sub-messages with null; the generated types say "absent" (undefined). */
function dropNulls(obj: Record<string, unknown>): void {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === null) delete obj[key];
    else if (Array.isArray(v)) v.forEach((x) => typeof x === 'object' && x !== null && dropNulls(x as Record<string, unknown>));
    else if (typeof v === 'object' && !(v instanceof Uint8Array)) dropNulls(v as Record<string, unknown>);
  }
}
