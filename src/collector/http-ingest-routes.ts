import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeExportLogsRequest } from '../otlp/decode-logs.ts';
import { decodeExportLogsRequestJson } from '../otlp/decode-logs-json.ts';
import { encodeExportLogsResponse } from '../otlp/encode-response.ts';
import { ProtoWriter, WireType } from '../otlp/ProtoWriter.ts';
import type { ExportLogsPartialSuccess } from '../otlp/types.ts';
import type { Authenticator } from './Authenticator.ts';
import { LogqError, type ErrorCode } from './errors.ts';
import { sendJson, type HttpServer } from './HttpServer.ts';
import { requestKey, type LogsIngest, type ReceiverStats } from './ingest-logs.ts';
import { readBody } from './read-body.ts';
import { restLogsToRequest } from './rest-logs.ts';

/** What the ingestion routes need. */
export interface HttpIngestOptions {
  ingest: LogsIngest;
  auth: Authenticator;
  maxRequestBytes: number;
  stats: ReceiverStats;
  retryDelayMs(): number;
}

/** HTTP status per error code (OTLP/HTTP spec: 429/502/503/504 are retryable, 400 is not). */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  LOGQ_DECODE_FAILED: 400,
  LOGQ_BAD_REQUEST: 400,
  LOGQ_REQUEST_TOO_LARGE: 413,
  LOGQ_UNSUPPORTED_MEDIA_TYPE: 415,
  LOGQ_UNAUTHENTICATED: 401,
  LOGQ_OVERLOADED: 429,
  LOGQ_SPOOL_FULL: 503,
  LOGQ_SPOOL_FAILED: 503,
  LOGQ_SHUTTING_DOWN: 503,
  LOGQ_STORAGE_FAILED: 503,
};

/** google.rpc.Status { code, message } — the OTLP/HTTP error body for protobuf requests. */
function encodeStatus(grpcCode: number, message: string): Buffer {
  const w = new ProtoWriter(128);
  w.tag(1, WireType.VARINT);
  w.varint32(grpcCode);
  w.tag(2, WireType.LEN);
  w.string(message);
  return w.finish();
}

const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 413: 8, 415: 3, 429: 14, 503: 14 };

function sendError(res: ServerResponse, error: unknown, protobuf: boolean, fallbackDelayMs: number): void {
  const code: ErrorCode = error instanceof LogqError ? error.code : 'LOGQ_SPOOL_FAILED';
  const status = HTTP_STATUS[code] ?? 500;
  const message = `${code}: ${(error as Error).message}`;
  const headers: Record<string, string> = {};
  if (status === 429 || status === 503) {
    const ms = error instanceof LogqError && error.retryAfterMs !== undefined ? error.retryAfterMs : fallbackDelayMs;
    headers['retry-after'] = String(Math.max(1, Math.ceil(ms / 1000)));
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer';
  if (protobuf) {
    const body = encodeStatus(GRPC_CODE[status] ?? 13, message);
    res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': body.length, ...headers });
    res.end(body);
  } else sendJson(res, status, { code: GRPC_CODE[status] ?? 13, error: code, message }, headers);
}

function partialJson(p: ExportLogsPartialSuccess): unknown {
  return p.rejectedLogRecords || p.errorMessage ? { partialSuccess: { rejectedLogRecords: String(p.rejectedLogRecords), errorMessage: p.errorMessage } } : {};
}

function mediaType(req: IncomingMessage): string {
  return String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Registers the ingestion routes on the HTTP listener:
 * - `POST /v1/logs` — OTLP/HTTP, `application/x-protobuf` or `application/json`, gzip allowed;
 *   the answer is an ExportLogsServiceResponse in the request's encoding;
 * - `POST /api/logs` — the REST shape of {@link restLogsToRequest}.
 * Both check the bearer token, cap the body at `maxRequestBytes` (decompressed), and answer
 * backpressure with 429/503 + Retry-After.
 */
export function registerIngestRoutes(http: HttpServer, o: HttpIngestOptions): void {
  const guard = async (req: IncomingMessage): Promise<Buffer> => {
    if (!o.auth.check(req.headers.authorization)) {
      o.stats.unauthenticatedRequests++;
      req.resume();
      throw new LogqError('LOGQ_UNAUTHENTICATED', 'missing or invalid bearer token (header "Authorization: Bearer <token>")');
    }
    return readBody(req, o.maxRequestBytes);
  };

  http.route('POST', '/v1/logs', async (req, res) => {
    const type = mediaType(req);
    const protobuf = type !== 'application/json';
    try {
      if (type !== 'application/x-protobuf' && type !== 'application/protobuf' && type !== 'application/json') {
        req.resume();
        throw new LogqError('LOGQ_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type}" is not supported; expected application/x-protobuf or application/json`);
      }
      const body = await guard(req);
      let answer: Promise<ExportLogsPartialSuccess>;
      try {
        // Protobuf bodies go to the byte-level path when the ingest has one (see createLogsIngest).
        if (protobuf && o.ingest.protobuf) answer = o.ingest.protobuf(body, requestKey(body));
        else answer = o.ingest(protobuf ? decodeExportLogsRequest(body) : decodeExportLogsRequestJson(body.toString('utf8')), requestKey(body));
      } catch (error) {
        o.stats.undecodableRequests++;
        throw new LogqError('LOGQ_DECODE_FAILED', `not an OTLP ExportLogsServiceRequest: ${(error as Error).message}`);
      }
      const partial = await answer;
      if (protobuf) {
        const out = encodeExportLogsResponse(partial);
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': out.length });
        res.end(out);
      } else sendJson(res, 200, partialJson(partial));
    } catch (error) {
      sendError(res, error, protobuf, o.retryDelayMs());
    }
  });

  http.route('POST', '/api/logs', async (req, res) => {
    try {
      const type = mediaType(req);
      if (type !== 'application/json' && type !== '') {
        req.resume();
        throw new LogqError('LOGQ_UNSUPPORTED_MEDIA_TYPE', `Content-Type "${type}" is not supported; expected application/json`);
      }
      const body = await guard(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch (error) {
        throw new LogqError('LOGQ_BAD_REQUEST', `body: not JSON (${(error as Error).message}); expected a log object or an array of them`);
      }
      const request = restLogsToRequest(parsed);
      const partial = await o.ingest(request);
      sendJson(res, 200, { accepted: request.resourceLogs.reduce((n, rl) => n + rl.scopeLogs[0].logRecords.length, 0) - partial.rejectedLogRecords, rejected: partial.rejectedLogRecords });
    } catch (error) {
      sendError(res, error, false, o.retryDelayMs());
    }
  });
}
