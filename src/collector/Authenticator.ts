import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { collectorLog } from './log.ts';

/** Options of {@link Authenticator}. */
export interface AuthenticatorOptions {
  /** Tokens given on the command line / env / config. @default [] */
  tokens?: string[];
  /** File of tokens, one per line (`#` comments, blank lines ignored), reloaded when it changes. @default undefined */
  tokensFile?: string;
  /** How often the tokens file is checked for changes, in ms. @default 1000 */
  pollMs?: number;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Bearer-token authentication for gRPC (`authorization` metadata) and HTTP (`Authorization`
 * header), as the OTel Collector's bearertokenauth extension does. Tokens are compared as SHA-256
 * digests with a constant-time compare, and never logged. Disabled when no token source is set.
 */
export class Authenticator {
  private readonly fixed: Buffer[];
  private fromFile: Buffer[] = [];
  private readonly file: string | undefined;
  /** True when requests must carry a token. */
  readonly enabled: boolean;

  constructor(options: AuthenticatorOptions = {}) {
    this.fixed = (options.tokens ?? []).map(digest);
    this.file = options.tokensFile;
    this.enabled = this.fixed.length > 0 || this.file !== undefined;
    if (this.file) {
      this.reload(true);
      // watchFile polls: it survives editors that replace the file and Kubernetes secret symlink swaps.
      watchFile(this.file, { interval: options.pollMs ?? 1000, persistent: false }, () => this.reload(false));
    }
  }

  private reload(initial: boolean): void {
    try {
      const tokens = readFileSync(this.file!, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
      this.fromFile = tokens.map(digest);
      collectorLog('info', 'auth tokens file loaded', { file: this.file, tokens: tokens.length });
    } catch (error) {
      // Keep the previous set: a file briefly missing during a rewrite must not open the door or lock everyone out.
      collectorLog(initial ? 'error' : 'warn', 'auth tokens file unreadable; keeping the previous tokens', { file: this.file, error });
    }
  }

  /** Checks an `Authorization` header value (`Bearer <token>`); true when auth is off. */
  check(header: string | undefined): boolean {
    if (!this.enabled) return true;
    if (!header) return false;
    const m = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!m) return false;
    const d = digest(m[1].trim());
    let ok = false;
    for (const t of this.fixed) ok = timingSafeEqual(t, d) || ok;
    for (const t of this.fromFile) ok = timingSafeEqual(t, d) || ok;
    return ok;
  }

  /** Stops watching the tokens file. */
  close(): void {
    if (this.file) unwatchFile(this.file);
  }
}
