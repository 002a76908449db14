import type * as http2 from 'node:http2';
import type * as grpc from '@grpc/grpc-js';

/**
 * HTTP/2 receive windows the collector's gRPC port advertises: per stream (one export call) and
 * per connection (all calls of one client).
 *
 * Why: HTTP/2's default window is 64 KiB, and grpc-js's server keeps it. A sender may have only
 * that much unacknowledged, so a ~0.5 MB export (4096 records) took ~8 round trips of
 * WINDOW_UPDATE frames, each a wake-up of the app's event loop. Measured from the sending app
 * (ad-hoc: 200 sequential exports of 4096 pre-encoded records to the bench's counting sink in
 * another process, 3 runs each, without → with these windows): 1786–2412 → 1409–1507 µs of app CPU
 * per call, wall time per call 2719–3813 → 2024–2150 µs. A batch now fits in one stream window;
 * the connection window covers several calls in flight. Memory is bounded as before: grpc-js reads
 * a call's message as it arrives, up to the request size limit, whatever the window.
 */
export const STREAM_WINDOW_BYTES = 1024 * 1024;
export const CONNECTION_WINDOW_BYTES = 4 * 1024 * 1024;

/**
 * Makes every HTTP/2 session of `server` (bound: call after `bindAsync` completed) advertise the
 * windows above. grpc-js has no server option for them; it keeps its HTTP/2 servers in the private
 * `http2Servers` map (grpc-js 1.14). Returns false, changing nothing, if that is not there (a
 * grpc-js upgrade; test/collector/grpc-window.test.ts then fails).
 */
export function widenReceiveWindows(server: grpc.Server, streamBytes = STREAM_WINDOW_BYTES, connectionBytes = CONNECTION_WINDOW_BYTES): boolean {
  const servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(servers instanceof Map)) return false;
  const entries = [...servers] as [http2.Http2Server, { sessions?: Set<http2.ServerHttp2Session> } | undefined][];
  if (!entries.every(([h2]) => typeof h2?.on === 'function')) return false;
  const widen = (session: http2.ServerHttp2Session, established: boolean) => {
    try {
      session.settings({ initialWindowSize: streamBytes });
    } catch {
      // A session closing already: nothing to widen.
    }
    const connection = () => {
      try {
        session.setLocalWindowSize(connectionBytes);
      } catch {
        // Closed meanwhile.
      }
    };
    if (established) connection();
    else session.once('remoteSettings', connection);
  };
  for (const [h2, info] of entries) {
    h2.on('session', (session: http2.ServerHttp2Session) => widen(session, false));
    // Sessions accepted before this call (a listen host with several addresses binds them one by one).
    for (const session of info?.sessions ?? []) widen(session, true);
  }
  return true;
}
