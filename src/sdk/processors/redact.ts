import type { AnyValue } from '@opentelemetry/api';

import { BEARER_PATTERN, PRIVATE_KEY_PATTERN, REDACTED, replaceCardNumbers, SECRET_KEY_FRAGMENTS } from '../../otlp/secret-rules.ts';

export { REDACTED };

/** Key fragments that mark a secret (matched on each dot-separated segment, case-insensitively, `-` as `_`). */
export const DEFAULT_SECRET_KEYS: readonly string[] = SECRET_KEY_FRAGMENTS;

/** Value patterns that are secrets wherever they appear (global regexes). */
export const DEFAULT_SECRET_PATTERNS: readonly RegExp[] = [PRIVATE_KEY_PATTERN, BEARER_PATTERN];

/** Options of the redactor. */
export interface RedactOptions {
  /** Extra key fragments (strings, matched as {@link DEFAULT_SECRET_KEYS}) or regexes tested on the full key. @default [] */
  keys?: (string | RegExp)[];
  /** Extra value patterns (made global if they are not). @default [] */
  patterns?: RegExp[];
  /** Also redact card-number-like values that pass the Luhn check. @default true */
  cardNumbers?: boolean;
  /** Replacement text. @default '[REDACTED]' */
  replacement?: string;
}

/**
 * A necessary condition for any default value rule to match (PEM needs `-----BEGIN`, a bearer token
 * `Bearer`, a card number 13 digits): one cheap test instead of three regex passes per string
 * (redaction was ~15% of the SDK path in `node --cpu-prof bench/app-breakdown.ts`, for strings that
 * are almost always clean).
 */
const DEFAULT_RULES_PRESCAN = /-----BEGIN|bearer|\d(?:[ -]?\d){12}/i;
/** Shortest string a default rule can match (`Bearer x`). */
const DEFAULT_RULES_MIN_LENGTH = 8;

/** Entries of the recent-key and recent-clean-string caches (a power of two). */
const RECENT = 8;

/** A compiled redactor: decides on keys and rewrites string values. */
export class Redactor {
  private readonly fragments: string[];
  private readonly keyRegexes: RegExp[];
  /** The default value patterns (run only when the prescan hits). */
  private readonly patterns: RegExp[];
  /** Patterns from the options (always run, after the defaults, before the card check). */
  private readonly extraPatterns: RegExp[];
  private readonly cards: boolean;
  readonly replacement: string;
  private readonly keyCache = new Map<string, boolean>();
  /**
   * The last keys asked about and their verdicts, compared by identity before the map: attribute
   * keys are mostly the same literal strings, and `===` on those is a pointer compare where a map
   * lookup hashes. (With the recent-clean strings below: redaction 0.05–0.1 → ~0.03 µs of a
   * ~0.65 µs record in a tight loop into a sink in another process, 4 pairs, lower in each.)
   */
  private readonly recentKeys: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  private readonly recentVerdicts: boolean[] = new Array<boolean>(RECENT).fill(false);
  private recentKeyNext = 0;
  /** The last strings found clean (messages repeat: log templates); the rules are fixed, so they stay clean. */
  private readonly recentClean: (string | undefined)[] = new Array<string | undefined>(RECENT).fill(undefined);
  private recentCleanNext = 0;

  constructor(options: RedactOptions = {}) {
    const extra = options.keys ?? [];
    this.fragments = [...DEFAULT_SECRET_KEYS, ...extra.filter((k): k is string => typeof k === 'string').map(normaliseKey)];
    this.keyRegexes = extra.filter((k): k is RegExp => k instanceof RegExp);
    this.patterns = [...DEFAULT_SECRET_PATTERNS];
    this.extraPatterns = (options.patterns ?? []).map((p) => (p.global ? p : new RegExp(p.source, p.flags + 'g')));
    this.cards = options.cardNumbers ?? true;
    this.replacement = options.replacement ?? REDACTED;
  }

  /** Whether a key names a secret (cached: keys repeat). */
  isSecretKey(key: string): boolean {
    const keys = this.recentKeys;
    for (let i = 0; i < RECENT; i++) if (keys[i] === key) return this.recentVerdicts[i];
    let hit = this.keyCache.get(key);
    if (hit === undefined) {
      hit = this.keyRegexes.some((r) => r.test(key)) || key.split('.').some((segment) => {
        const s = normaliseKey(segment);
        return this.fragments.some((f) => s.includes(f));
      });
      if (this.keyCache.size < 10_000) this.keyCache.set(key, hit);
    }
    const at = this.recentKeyNext;
    keys[at] = key;
    this.recentVerdicts[at] = hit;
    this.recentKeyNext = (at + 1) & (RECENT - 1);
    return hit;
  }

  /**
   * What an attribute's scalar value becomes: the replacement under a secret key, a string with
   * its secret-looking parts replaced, anything else as it is (nested values: {@link redactValue}).
   */
  redactScalar(key: string, value: unknown): unknown {
    if (this.isSecretKey(key)) return this.replacement;
    return typeof value === 'string' ? this.redactString(value) : value;
  }

  /** `text` with every secret-looking part replaced; the same string when nothing matched. */
  redactString(text: string): string {
    if (text.length < DEFAULT_RULES_MIN_LENGTH && this.extraPatterns.length === 0) return text;
    const clean = this.recentClean;
    for (let i = 0; i < RECENT; i++) if (clean[i] === text) return text;
    const out = this.redactFully(text);
    if (out === text && text.length <= 256) {
      clean[this.recentCleanNext] = text;
      this.recentCleanNext = (this.recentCleanNext + 1) & (RECENT - 1);
    }
    return out;
  }

  /** Every rule on `text` (see {@link redactString}). */
  private redactFully(text: string): string {
    // Same result as running every rule, in the same order: the default rules are skipped only
    // when the text cannot match them, and the card rule is re-checked if an extra pattern changed it.
    let suspicious = text.length >= DEFAULT_RULES_MIN_LENGTH && DEFAULT_RULES_PRESCAN.test(text);
    const extra = this.extraPatterns;
    if (!suspicious && extra.length === 0) return text;
    let out = text;
    if (suspicious) out = this.replaceAll(out, this.patterns);
    if (extra.length > 0) {
      const before = out;
      out = this.replaceAll(out, extra);
      if (!suspicious && out !== before) suspicious = out.length >= DEFAULT_RULES_MIN_LENGTH && DEFAULT_RULES_PRESCAN.test(out);
    }
    if (this.cards && suspicious) {
      out = replaceCardNumbers(out, this.replacement);
    }
    return out;
  }

  private replaceAll(text: string, patterns: RegExp[]): string {
    let out = text;
    for (const p of patterns) {
      p.lastIndex = 0;
      if (p.test(out)) {
        p.lastIndex = 0;
        out = out.replace(p, this.replacement);
      }
    }
    return out;
  }

  /** A redacted copy of any value (maps by key, arrays and strings by content); same value if clean. */
  redactValue(value: AnyValue, depth = 0): AnyValue {
    if (typeof value === 'string') return this.redactString(value);
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || depth > 16) return value;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v as AnyValue, depth + 1));
    const out: Record<string, AnyValue> = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.isSecretKey(k) ? this.replacement : this.redactValue(v as AnyValue, depth + 1);
    return out;
  }
}

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}
