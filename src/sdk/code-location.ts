import type { Attributes } from '@opentelemetry/api';

type CallSites = NodeJS.CallSite[];
const asCallSites = (_: Error, stack: CallSites): CallSites => stack;

/**
 * Adds `code.function.name`, `code.file.path` and `code.line.number` (OTel semantic conventions)
 * of the caller of `entry` to `out`. Uses V8's structured call sites with a one-frame limit, the
 * cheapest way V8 offers; it still costs a stack walk, hence off by default (see bench/sdk-logger.ts).
 */
export function addCodeLocation(out: Attributes, entry: Function): void {
  const prepare = Error.prepareStackTrace;
  const limit = Error.stackTraceLimit;
  const holder: { stack?: CallSites } = {};
  try {
    Error.prepareStackTrace = asCallSites as never;
    Error.stackTraceLimit = 1;
    Error.captureStackTrace(holder, entry);
    const site = holder.stack?.[0];
    if (!site) return;
    const fn = site.getFunctionName() ?? site.getMethodName();
    if (fn) out['code.function.name'] = fn;
    const file = site.getFileName() ?? site.getScriptNameOrSourceURL();
    if (file) out['code.file.path'] = file.startsWith('file://') ? new URL(file).pathname : file;
    const line = site.getLineNumber();
    if (line !== null) out['code.line.number'] = line;
  } catch {
    // A location is a nicety: never let it break the log call.
  } finally {
    Error.prepareStackTrace = prepare;
    Error.stackTraceLimit = limit;
  }
}
