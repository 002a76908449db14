import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * gRPC frames every message with a 5-byte prefix (1 byte "compressed" flag, 4 bytes big-endian
 * length). grpc-js does it by allocating a new buffer of the message's size + 5 and copying the
 * message into it (`IdentityHandler.writeMessage` in its private `compression-filter.js`): ~0.9 MB
 * per 8192-record export. Back-to-back exports of 8192 records cost ~2.2 ms of app CPU each with the
 * copy (most of it V8 mark-compacts started by that ArrayBuffer memory) and ~1 ms without; paced
 * at 200k records/s the copies cost ~4 MiB of heap + buffers growth, not CPU (BENCHMARKS.md).
 *
 * logq's exporter encodes each request 5 bytes into a buffer it reuses, marks the view of the
 * message as framable here, and the handler below writes the prefix into those 5 bytes and hands
 * grpc-js the framed bytes without a copy. Every other message (other grpc-js clients of the app,
 * compressed channels, a server's responses) takes grpc-js's own code, unchanged.
 */
export const GRPC_FRAME_HEADER_BYTES = 5;

const framable = new WeakSet<Uint8Array>();

/** Marks `message` as preceded by {@link GRPC_FRAME_HEADER_BYTES} bytes of its buffer free for the prefix. */
export function markFramable(message: Buffer): Buffer {
  if (message.byteOffset < GRPC_FRAME_HEADER_BYTES) throw new RangeError(`a framable message needs ${GRPC_FRAME_HEADER_BYTES} free bytes before it, found ${message.byteOffset}`);
  framable.add(message);
  return message;
}

/** The framed message over the same memory: the prefix is written into the 5 bytes before it. */
export function frameInPlace(message: Buffer): Buffer {
  const framed = Buffer.from(message.buffer, message.byteOffset - GRPC_FRAME_HEADER_BYTES, message.length + GRPC_FRAME_HEADER_BYTES);
  framed[0] = 0; // not compressed
  framed.writeUInt32BE(message.length, 1);
  return framed;
}

type WriteMessage = (this: unknown, message: Buffer, compress: boolean) => Promise<Buffer>;
/** The prototype of grpc-js's identity (uncompressed) message handler. */
export interface IdentityHandlerPrototype {
  writeMessage: WriteMessage;
}

/**
 * The prototype of the identity handler of the grpc-js logq resolves (the one its exporter's
 * channel uses), or undefined when that grpc-js does not have the expected internals.
 */
export function identityHandlerPrototype(): IdentityHandlerPrototype | undefined {
  try {
    const require = createRequire(import.meta.url);
    // Checked against grpc-js 1.14: only its 1.x line is trusted to keep this private contract.
    const { version } = require('@grpc/grpc-js/package.json') as { version?: string };
    if (!version?.startsWith('1.')) return undefined;
    const mod = require(join(dirname(require.resolve('@grpc/grpc-js')), 'compression-filter.js')) as {
      CompressionFilter?: new (options: object, shared: object) => { sendCompression?: object };
    };
    if (typeof mod.CompressionFilter !== 'function') return undefined;
    // A filter on a channel without compression starts with the identity handler.
    const handler = new mod.CompressionFilter({}, {}).sendCompression;
    const proto = handler && (Object.getPrototypeOf(handler) as IdentityHandlerPrototype | null);
    if (!proto || (proto as { constructor?: { name?: string } }).constructor?.name !== 'IdentityHandler') return undefined;
    if (typeof proto.writeMessage !== 'function' || proto.writeMessage.length !== 2) return undefined;
    return proto;
  } catch {
    return undefined;
  }
}

let installed: boolean | undefined;

/**
 * Teaches the grpc-js that logq's exporter uses to frame marked messages in place. Idempotent.
 * Returns false (and changes nothing) when that grpc-js does not have the expected internals; the
 * exporter then sends copies as before.
 */
export function installFramingInPlace(): boolean {
  if (installed !== undefined) return installed;
  const proto = identityHandlerPrototype();
  installed = proto !== undefined;
  if (proto) {
    const original = proto.writeMessage;
    proto.writeMessage = function writeMessage(message, compress) {
      if (framable.has(message)) return Promise.resolve(frameInPlace(message));
      return original.call(this, message, compress);
    };
  }
  return installed;
}
