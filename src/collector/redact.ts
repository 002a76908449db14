/**
 * Server-side redaction, the same rules as the SDK's redaction processor (a test keeps the key
 * lists equal; the collector cannot import the SDK), because clients the operator did not write
 * may send secrets:
 * - attribute keys containing a secret fragment ({@link SECRET_KEY_FRAGMENTS}: password, passwd,
 *   pwd, secret, token, api_key, apikey, authorization, cookie, set_cookie, csrf, session,
 *   private_key, credential — case-insensitive, `-` as `_`, e.g. `db_password`, `x-session-id`)
 *   → the whole value becomes `[REDACTED]`;
 * - in any value and the body: payment card numbers (13-19 digits, spaces or dashes allowed,
 *   Luhn-valid), bearer tokens (`Bearer <token>`) and PEM private keys → `[REDACTED]`.
 */
export const REDACTED = '[REDACTED]';

/** Key fragments that mark a secret (the SDK's DEFAULT_SECRET_KEYS). */
export const SECRET_KEY_FRAGMENTS: readonly string[] = [
  'password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'authorization',
  'cookie', 'set_cookie', 'csrf', 'session', 'private_key', 'credential',
];
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g;
const BEARER = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
/** Cheap pre-check: values without any of these cannot match a value rule. */
const MAYBE = /\d{4}|bearer|PRIVATE KEY/i;

/** True when an attribute key names a secret. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/-/g, '_');
  return SECRET_KEY_FRAGMENTS.some((f) => k.includes(f));
}

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Replaces card numbers, bearer tokens and private keys in a string. */
export function redactValue(value: string): string {
  if (!MAYBE.test(value)) return value;
  return value
    .replace(PRIVATE_KEY, REDACTED)
    .replace(BEARER, REDACTED)
    .replace(CARD, (m) => (luhn(m.replace(/[ -]/g, '')) ? REDACTED : m));
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
