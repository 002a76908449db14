import { afterEach, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { CONNECTION_WINDOW_BYTES, STREAM_WINDOW_BYTES, widenReceiveWindows } from '../../src/collector/grpc-window.ts';
import { windowsSeenBy } from '../helpers/http2-windows.ts';

let server: grpc.Server | undefined;
afterEach(() => {
  server?.forceShutdown();
  server = undefined;
});

async function bound(widen: boolean): Promise<number> {
  server = new grpc.Server();
  const port = await new Promise<number>((res, rej) => server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  if (widen) expect(widenReceiveWindows(server)).toBe(true);
  return port;
}

describe('widenReceiveWindows (the collector gRPC port)', () => {
  it('makes a bound grpc-js server advertise the wider stream and connection windows', async () => {
    const seen = await windowsSeenBy(await bound(true));
    expect(seen.stream).toBe(STREAM_WINDOW_BYTES);
    expect(seen.connection).toBe(CONNECTION_WINDOW_BYTES);
  });

  it('also widens the sessions a server accepted before it was called', async () => {
    const port = await bound(false);
    const http2 = await import('node:http2');
    const early = http2.connect(`http://127.0.0.1:${port}`);
    try {
      await new Promise<void>((r) => early.once('remoteSettings', () => r()));
      // Wait until the server side has the session too.
      const sessions = () => [...((server as unknown as { http2Servers: Map<unknown, { sessions: Set<unknown> }> }).http2Servers.values())][0].sessions.size;
      for (let i = 0; i < 100 && sessions() === 0; i++) await new Promise((r) => setTimeout(r, 5));
      expect(sessions()).toBe(1);
      expect(widenReceiveWindows(server!)).toBe(true);
      for (let i = 0; i < 200 && (early.state.remoteWindowSize ?? 0) <= 65535; i++) await new Promise((r) => setTimeout(r, 5));
      expect(early.remoteSettings.initialWindowSize).toBe(STREAM_WINDOW_BYTES);
      expect(early.state.remoteWindowSize).toBe(CONNECTION_WINDOW_BYTES);
    } finally {
      early.destroy();
    }
  });

  it('grpc-js alone keeps HTTP/2 default 64 KiB windows', async () => {
    const seen = await windowsSeenBy(await bound(false));
    expect(seen.stream).toBe(65535);
    expect(seen.connection).toBe(65535);
  });

  it('reports a server whose internals it does not know instead of guessing', () => {
    expect(widenReceiveWindows({} as grpc.Server)).toBe(false);
  });
});
