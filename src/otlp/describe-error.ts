import { redactSecretsInText } from './secret-rules.ts';

/** Longest error description logq writes to stderr. */
const MAX_LENGTH = 300;

/**
 * A one-line description of anything thrown, safe to write to stderr: it never throws (a value
 * without a string form, a revoked Proxy), card numbers, bearer tokens and private keys in it are
 * replaced (an error message may quote the record it failed on: V8's `JSON.parse` errors quote
 * their input), and it is cut at 300 characters.
 */
export function describeError(error: unknown): string {
  let text: string;
  try {
    text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    text = 'an error without a printable description';
  }
  text = redactSecretsInText(text.replace(/\s+/g, ' '));
  return text.length > MAX_LENGTH ? `${text.slice(0, MAX_LENGTH)}…` : text;
}
