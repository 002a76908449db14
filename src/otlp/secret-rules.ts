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

/**
 * Card-like digit runs (13–19 digits, optional space/dash groups); a secret only if {@link luhn} passes.
 * A run joined by a dash to a word on either side is part of an identifier, not a card: the
 * all-digit groups of a UUID (`62941638-4072-4155-89ff-…`) can pass Luhn, and request ids must
 * arrive intact. Hence `(?<!\w|\w-)` and `(?!\w|-\w)` rather than `\b`, which a dash satisfies.
 */
export const CARD_PATTERN = /(?<!\w|\w-)\d(?:[ -]?\d){12,18}(?!\w|-\w)/g;

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
