/**
 * Server-side redaction, with the SDK's rules (both use src/otlp/secret-rules.ts; the collector
 * cannot import the SDK), because clients the operator did not write
 * may send secrets:
 * - attribute keys containing a secret fragment ({@link SECRET_KEY_FRAGMENTS}: password, passwd,
 *   pwd, secret, token, api_key, apikey, authorization, cookie, set_cookie, csrf, session,
 *   private_key, credential — case-insensitive, `-` as `_`, e.g. `db_password`, `x-session-id`)
 *   → the whole value becomes `[REDACTED]`;
 * - in any value and the body: payment card numbers (13-19 digits, spaces or dashes allowed,
 *   Luhn-valid, not inside a UUID), bearer tokens (`Bearer <token>`) and PEM private keys → `[REDACTED]`.
 */
import { REDACTED, redactSecretsInText, SECRET_KEY_FRAGMENTS } from '../otlp/secret-rules.ts';

export { REDACTED, SECRET_KEY_FRAGMENTS };

const keyCache = new Map<string, boolean>();

/** True when an attribute key names a secret (cached: keys repeat across records). */
export function isSecretKey(key: string): boolean {
  let hit = keyCache.get(key);
  if (hit === undefined) {
    const k = key.toLowerCase().replace(/-/g, '_');
    hit = SECRET_KEY_FRAGMENTS.some((f) => k.includes(f));
    if (keyCache.size < 10_000) keyCache.set(key, hit);
  }
  return hit;
}

/** Replaces card numbers, bearer tokens and private keys in a string (cheap pre-checks first: most values cost one scan). */
export function redactValue(value: string): string {
  return redactSecretsInText(value, REDACTED);
}

/** Redacts a string map in place; returns how many values changed. */
export function redactMap(map: Record<string, string>): number {
  let changed = 0;
  for (const key of Object.keys(map)) {
    const v = map[key];
    const next = isSecretKey(key) ? (v === '' ? v : REDACTED) : redactValue(v);
    if (next !== v) {
      map[key] = next;
      changed++;
    }
  }
  return changed;
}
