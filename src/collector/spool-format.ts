import { crc32 } from 'node:zlib';

/**
 * On-disk format of one spool file (one batch):
 *
 *   magic "LOGQSPL1" (8 bytes) | payload length (u32 LE) | CRC-32 of payload (u32 LE) | payload
 *
 * The payload is UTF-8 JSON `{ token, rows, requests }`. A file that is shorter than its header says, has
 * trailing bytes, or whose CRC does not match was cut by a crash or damaged on disk: it is never
 * replayed (quarantined instead).
 */
export const SPOOL_MAGIC = Buffer.from('LOGQSPL1', 'latin1');
const HEADER_BYTES = SPOOL_MAGIC.length + 8;

/** A batch as stored in the spool. */
export interface SpoolPayload<Row> {
  /** The `insert_deduplication_token` every insert attempt of this batch carries. */
  token: string;
  rows: Row[];
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
export function encodeSpoolFile<Row>(payload: SpoolPayload<Row>): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const header = Buffer.alloc(HEADER_BYTES);
  SPOOL_MAGIC.copy(header, 0);
  header.writeUInt32LE(body.length, SPOOL_MAGIC.length);
  header.writeUInt32LE(crc32(body), SPOOL_MAGIC.length + 4);
  return Buffer.concat([header, body]);
}

/** Parses and verifies a spool file; throws {@link SpoolCorruptError} naming what is wrong. */
export function decodeSpoolFile<Row>(buf: Buffer): SpoolPayload<Row> {
  if (buf.length < HEADER_BYTES) throw new SpoolCorruptError(`file is ${buf.length} bytes, shorter than the ${HEADER_BYTES}-byte header`);
  if (!buf.subarray(0, SPOOL_MAGIC.length).equals(SPOOL_MAGIC)) throw new SpoolCorruptError('bad magic: not a logq spool file');
  const length = buf.readUInt32LE(SPOOL_MAGIC.length);
  const expected = buf.readUInt32LE(SPOOL_MAGIC.length + 4);
  if (buf.length !== HEADER_BYTES + length) {
    throw new SpoolCorruptError(`payload is ${buf.length - HEADER_BYTES} bytes, header says ${length} (partial write?)`);
  }
  const body = buf.subarray(HEADER_BYTES);
  const actual = crc32(body);
  if (actual !== expected) throw new SpoolCorruptError(`checksum mismatch: stored ${expected.toString(16)}, computed ${actual.toString(16)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new SpoolCorruptError(`payload is not JSON: ${(error as Error).message}`);
  }
  const p = parsed as Partial<SpoolPayload<Row>>;
  if (typeof p !== 'object' || p === null || typeof p.token !== 'string' || !Array.isArray(p.rows)) {
    throw new SpoolCorruptError('payload lacks token or rows');
  }
  return { token: p.token, rows: p.rows, requests: Array.isArray(p.requests) ? p.requests.map(String) : [] };
}
