import { crc32 } from 'node:zlib';

import { rowsToNative } from '../storage/native-format.ts';
import type { LogRow } from '../storage/rows.ts';

/**
 * On-disk format of one spool file (one batch):
 *
 *   magic "LOGQSPL2" (8 bytes) | meta length (u32 LE) | CRC-32 of meta + data (u32 LE) | meta | data
 *
 * meta is UTF-8 JSON `{ token, requests, rows }`; data is the batch as ClickHouse Native blocks
 * (src/storage/native-format.ts), the bytes the insert sends, so a batch is serialized once.
 * Files of the previous format ("LOGQSPL1": JSON `{ token, rows, requests }` with the rows
 * inline) are still read and converted, so a spool left by an older collector is replayed.
 * A file that is shorter than its header says, has trailing bytes, or whose CRC does not match
 * was cut by a crash or damaged on disk: it is never replayed (quarantined instead).
 */
export const SPOOL_MAGIC = Buffer.from('LOGQSPL2', 'latin1');
const SPOOL_MAGIC_V1 = Buffer.from('LOGQSPL1', 'latin1');
const HEADER_BYTES = SPOOL_MAGIC.length + 8;

/** A batch as stored in the spool. */
export interface SpoolPayload {
  /** The `insert_deduplication_token` every insert attempt of this batch carries. */
  token: string;
  /** Rows in `data`. */
  rowCount: number;
  /** The rows as Native blocks. */
  data: Buffer;
  /** Keys (content hashes) of the client requests in this batch, for request deduplication. */
  requests?: string[];
}

/** Why a spool file could not be read. */
export class SpoolCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpoolCorruptError';
  }
}

/** Serializes a batch into the spool file format. */
export function encodeSpoolFile(payload: SpoolPayload): Buffer {
  return Buffer.concat(spoolFileParts(payload));
}

/**
 * The spool file of a batch as [header + meta, data]: written with one writev, so the batch's
 * block is not copied into a second buffer of its size.
 */
export function spoolFileParts(payload: SpoolPayload): [Buffer, Buffer] {
  const meta = Buffer.from(JSON.stringify({ token: payload.token, requests: payload.requests ?? [], rows: payload.rowCount }), 'utf8');
  const head = Buffer.allocUnsafe(HEADER_BYTES + meta.length);
  SPOOL_MAGIC.copy(head, 0);
  head.writeUInt32LE(meta.length, SPOOL_MAGIC.length);
  meta.copy(head, HEADER_BYTES);
  head.writeUInt32LE(crc32(payload.data, crc32(meta)), SPOOL_MAGIC.length + 4);
  return [head, payload.data];
}

/** Parses and verifies a spool file; throws {@link SpoolCorruptError} naming what is wrong. */
export function decodeSpoolFile(buf: Buffer): SpoolPayload {
  if (buf.length < HEADER_BYTES) throw new SpoolCorruptError(`file is ${buf.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  const magic = buf.subarray(0, SPOOL_MAGIC.length);
  if (magic.equals(SPOOL_MAGIC_V1)) return decodeV1(buf);
  if (!magic.equals(SPOOL_MAGIC)) throw new SpoolCorruptError('bad magic: not a logq spool file');
  const metaLength = buf.readUInt32LE(SPOOL_MAGIC.length);
  const expected = buf.readUInt32LE(SPOOL_MAGIC.length + 4);
  if (buf.length < HEADER_BYTES + metaLength) throw new SpoolCorruptError(`file is ${buf.length} bytes, its header says at least ${HEADER_BYTES + metaLength} (partial write?)`);
  const actual = crc32(buf.subarray(HEADER_BYTES));
  if (actual !== expected) throw new SpoolCorruptError(`checksum mismatch: stored ${expected.toString(16)}, computed ${actual.toString(16)} (partial write or damage)`);
  let meta: { token?: unknown; requests?: unknown; rows?: unknown };
  try {
    meta = JSON.parse(buf.toString('utf8', HEADER_BYTES, HEADER_BYTES + metaLength)) as typeof meta;
  } catch (error) {
    throw new SpoolCorruptError(`meta is not JSON: ${(error as Error).message}`);
  }
  if (typeof meta?.token !== 'string' || typeof meta.rows !== 'number') throw new SpoolCorruptError('meta lacks token or rows');
  return {
    token: meta.token,
    rowCount: meta.rows,
    data: buf.subarray(HEADER_BYTES + metaLength),
    requests: Array.isArray(meta.requests) ? meta.requests.map(String) : [],
  };
}

/** A file of the previous format: JSON `{ token, rows, requests }`, converted to Native blocks. */
function decodeV1(buf: Buffer): SpoolPayload {
  const length = buf.readUInt32LE(SPOOL_MAGIC.length);
  const expected = buf.readUInt32LE(SPOOL_MAGIC.length + 4);
  if (buf.length !== HEADER_BYTES + length) {
    throw new SpoolCorruptError(`payload is ${buf.length - HEADER_BYTES} bytes, header says ${length} (partial write?)`);
  }
  const body = buf.subarray(HEADER_BYTES);
  const actual = crc32(body);
  if (actual !== expected) throw new SpoolCorruptError(`checksum mismatch: stored ${expected.toString(16)}, computed ${actual.toString(16)}`);
  let parsed: { token?: unknown; rows?: unknown; requests?: unknown };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch (error) {
    throw new SpoolCorruptError(`payload is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof parsed.token !== 'string' || !Array.isArray(parsed.rows)) {
    throw new SpoolCorruptError('payload lacks token or rows');
  }
  let data: Buffer;
  try {
    data = rowsToNative(parsed.rows as LogRow[]);
  } catch (error) {
    throw new SpoolCorruptError(`rows of a version-1 spool file do not fit otel_logs: ${(error as Error).message}`);
  }
  return { token: parsed.token, rowCount: parsed.rows.length, data, requests: Array.isArray(parsed.requests) ? parsed.requests.map(String) : [] };
}
