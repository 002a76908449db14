import type { RawFilter } from '../storage/LogFilter.ts';

/** Filter flags shared by `logq query` and `logq tail` (names as in the REST API, kebab-cased). */
export const FILTER_OPTIONS = {
  service: { type: 'string' },
  level: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  'trace-id': { type: 'string' },
  'request-id': { type: 'string' },
  user: { type: 'string' },
  grep: { type: 'string' },
  attr: { type: 'string', multiple: true },
} as const;

/** Help lines for {@link FILTER_OPTIONS}. */
export const FILTER_HELP = `Filters (all optional, combined with AND):
  --service NAME          exact service.name
  --level LEVEL           minimum level: TRACE, DEBUG, INFO, WARN, ERROR, FATAL (WARNING, CRITICAL accepted)
  --since T, --until T    a duration back from now (15m, 2h, 7d) or a time (2026-11-23T10:00:00Z, Unix seconds)
  --trace-id HEX          32 hex digits
  --request-id ID         LogAttributes['request.id']
  --user ID               LogAttributes['user.id']
  --grep TEXT             body contains TEXT; its words must be whole words of the body (uses the body index)
  --attr KEY=VALUE        LogAttributes[KEY] = VALUE (repeatable)`;

/** Parsed filter flag values. */
export interface FilterFlagValues {
  service?: string;
  level?: string;
  since?: string;
  until?: string;
  'trace-id'?: string;
  'request-id'?: string;
  user?: string;
  grep?: string;
  attr?: string[];
}

/** Maps flag values to the raw filter (validated later by parseFilter). */
export function rawFilterFromFlags(v: FilterFlagValues): RawFilter {
  return {
    service: v.service,
    level: v.level,
    since: v.since,
    until: v.until,
    traceId: v['trace-id'],
    requestId: v['request-id'],
    user: v.user,
    grep: v.grep,
    attr: v.attr,
  };
}

/** Flag name for a filter parameter name (FilterError.param → what the user typed). */
export function flagOf(param: string): string {
  return '--' + param.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
