import * as http2 from 'node:http2';

/**
 * What a plain HTTP/2 client connecting to 127.0.0.1:`port` may send before the server
 * acknowledges: the stream window the server advertised (SETTINGS) and the connection window
 * (its WINDOW_UPDATE). Waits up to 1 s for either to go above HTTP/2's default 64 KiB.
 */
export async function windowsSeenBy(port: number): Promise<{ stream: number; connection: number }> {
  const client = http2.connect(`http://127.0.0.1:${port}`);
  try {
    await new Promise<void>((resolve) => {
      const deadline = Date.now() + 1000;
      const check = () => {
        const wide = (client.remoteSettings.initialWindowSize ?? 0) > 65535 && (client.state.remoteWindowSize ?? 0) > 65535;
        if (wide || Date.now() > deadline) resolve();
        else setTimeout(check, 5);
      };
      client.once('remoteSettings', check);
      client.once('error', () => resolve());
    });
    return { stream: client.remoteSettings.initialWindowSize ?? 0, connection: client.state.remoteWindowSize ?? 0 };
  } finally {
    client.destroy();
  }
}
