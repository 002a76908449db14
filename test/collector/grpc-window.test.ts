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

  it('grpc-js alone keeps HTTP/2 default 64 KiB windows', async () => {
    const seen = await windowsSeenBy(await bound(false));
    expect(seen.stream).toBe(65535);
    expect(seen.connection).toBe(65535);
  });

  it('reports a server whose internals it does not know instead of guessing', () => {
    expect(widenReceiveWindows({} as grpc.Server)).toBe(false);
  });
});
