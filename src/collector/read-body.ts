import type { IncomingMessage } from 'node:http';
import { createGunzip, createInflate, type Gunzip, type Inflate } from 'node:zlib';
import { LogqError } from './errors.ts';

/**
 * Reads a request body, decompressing `Content-Encoding: gzip` (or deflate), and stops as soon as
 * more than `maxBytes` arrive — compressed or decompressed — so a zip bomb costs nothing.
 * Rejects with LOGQ_REQUEST_TOO_LARGE or LOGQ_UNSUPPORTED_MEDIA_TYPE.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoder: Gunzip | Inflate | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = createGunzip();
  else if (encoding === 'deflate') decoder = createInflate();
  else if (encoding !== 'identity' && encoding !== '') {
    return Promise.reject(new LogqError('LOGQ_UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding}" is not supported; expected gzip, deflate or none`));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      req.unpipe();
      req.resume();
      decoder?.destroy();
      reject(error);
    };
    const source = decoder ?? req;
    let raw = 0;
    if (decoder) {
      req.on('data', (c: Buffer) => {
        raw += c.length;
        if (raw > maxBytes) fail(tooLarge(maxBytes));
      });
      req.on('error', fail);
      decoder.on('error', (e) => fail(new LogqError('LOGQ_DECODE_FAILED', `body is not valid ${encoding}: ${e.message}`)));
      req.pipe(decoder);
    }
    source.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBytes) return fail(tooLarge(maxBytes));
      chunks.push(c);
    });
    source.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    source.on('error', fail);
  });
}

function tooLarge(maxBytes: number): LogqError {
  return new LogqError('LOGQ_REQUEST_TOO_LARGE', `request body is larger than ${maxBytes} bytes (--max-request-bytes)`);
}
