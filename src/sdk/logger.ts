import { logs, type Attributes, type Logger as OtelLogger } from '@opentelemetry/api';
import { LEVEL_INFO, type LevelName } from './levels.ts';

/** The logger apps use: one method per level, message plus optional attributes. */
export interface Logger {
  /** The logger's name (the OTel instrumentation scope name). */
  readonly name: string;
  trace(message: string, attributes?: Attributes): void;
  debug(message: string, attributes?: Attributes): void;
  info(message: string, attributes?: Attributes): void;
  warn(message: string, attributes?: Attributes): void;
  error(message: string, attributes?: Attributes): void;
  fatal(message: string, attributes?: Attributes): void;
}

/**
 * Returns a logger named `name` that emits through the global OTel LoggerProvider (the one
 * {@link registerLogging} installed). Safe to call before registration: the OTel API's proxy
 * provider forwards to the real one once it is set.
 */
export function getLogger(name: string): Logger {
  const otel: OtelLogger = logs.getLogger(name);
  const emit = (level: LevelName) => {
    const { number, text } = LEVEL_INFO[level];
    return (message: string, attributes?: Attributes): void => {
      try {
        otel.emit({ severityNumber: number, severityText: text, body: message, attributes });
      } catch {
        // The logging path never throws into the application.
      }
    };
  };
  return {
    name,
    trace: emit('trace'),
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    fatal: emit('fatal'),
  };
}
