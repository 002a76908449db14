/**
 * The secret-detection rules shared by the SDK's redaction processor and the collector's
 * server-side redaction (one definition, so the two sides cannot drift). Both the app and the
 * collector may import src/otlp; neither may import the other.
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';

/**
 * Key fragments that mark a secret attribute (case-insensitive, `-` read as `_`): the seed
 * chapter's never-log list (passwords, session cookies, CSRF tokens, Authorization headers,
 * private keys) plus common spellings.
 */
export const SECRET_KEY_FRAGMENTS: readonly string[] = [
  'password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'authorization',
  'cookie', 'set_cookie', 'csrf', 'session', 'private_key', 'credential',
];

/** PEM private keys (RSA, EC, OPENSSH, PKCS#8, encrypted), also when cut off before the END line. */
export const PRIVATE_KEY_PATTERN = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)/g;

/** Bearer tokens (RFC 6750 b64token). */
export const BEARER_PATTERN = /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi;

/** Card-like digit runs (13–19 digits, optional space/dash groups); a secret only if {@link luhn} passes. */
export const CARD_PATTERN = /\b\d(?:[ -]?\d){12,18}\b/g;

/**
 * UUIDs (8-4-4-4-12 hex digits). Their all-digit groups can read as a Luhn-valid card number
 * (`62941638-4072-4155-89ff-…`: 6294163840724155), and request and trace ids must arrive intact:
 * a card-like run inside one is not a card.
 */
const UUID_PATTERN = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * `text` with every card number (a {@link CARD_PATTERN} run passing {@link luhn}, not inside a
 * UUID) replaced by `replacement`; the same string when there is none.
 */
export function replaceCardNumbers(text: string, replacement: string): string {
  let uuids: [number, number][] | undefined;
  return text.replace(CARD_PATTERN, (m: string, at: number) => {
    if (!luhn(m.replace(/[ -]/g, ''))) return m;
    uuids ??= Array.from(text.matchAll(UUID_PATTERN), (u) => [u.index, u.index + u[0].length] as [number, number]);
    const end = at + m.length;
    return uuids.some(([s, e]) => at < e && end > s) ? m : replacement;
  });
}

/** Card numbers, bearer tokens and private keys in free text replaced by `replacement` (no key rules). */
export function redactSecretsInText(text: string, replacement = REDACTED): string {
  let v = text;
  if (v.includes('PRIVATE KEY-----')) v = v.replace(PRIVATE_KEY_PATTERN, replacement);
  if (/bearer/i.test(v)) v = v.replace(BEARER_PATTERN, replacement);
  if (/\d(?:[ -]?\d){12}/.test(v)) v = replaceCardNumbers(v, replacement);
  return v;
}

/** The Luhn checksum of a digit string (payment card numbers pass it; most other numbers do not). */
export function luhn(digits: string): boolean {
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
