import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { recordToJson, safeJson } from './format-record.ts';

/** Options of {@link ConsoleLogExporter}. */
export interface ConsoleLogExporterOptions {
  /** Where lines go. @default process.stderr */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** `pretty` (human, one line per record) or `json` (JSON lines). @default 'pretty' on a TTY, else 'json' */
  format?: 'pretty' | 'json';
  /** ANSI colours in pretty mode. @default stream.isTTY && !NO_COLOR */
  colors?: boolean;
}

const COLOURS: Record<string, string> = { TRACE: '90', DEBUG: '36', INFO: '32', WARN: '33', ERROR: '31', FATAL: '35' };

/** A development exporter: pretty coloured lines on a terminal, JSON lines otherwise. */
export class ConsoleLogExporter implements LogRecordExporter {
  private readonly stream: NodeJS.WritableStream;
  private readonly format: 'pretty' | 'json';
  private readonly colors: boolean;

  constructor(options: ConsoleLogExporterOptions = {}) {
    const stream = options.stream ?? process.stderr;
    this.stream = stream;
    const tty = Boolean((stream as { isTTY?: boolean }).isTTY);
    this.format = options.format ?? (tty ? 'pretty' : 'json');
    this.colors = options.colors ?? (tty && !process.env.NO_COLOR);
  }

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    try {
      let text = '';
      for (const rec of records) text += (this.format === 'json' ? safeJson(recordToJson(rec)) : this.pretty(rec)) + '\n';
      this.stream.write(text);
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  /** `12:00:01.123 INFO  orders: placed order {"order.id":7} [req=…]` */
  private pretty(rec: ReadableLogRecord): string {
    const j = recordToJson(rec);
    const level = String(j.level).padEnd(5);
    const time = String(j.time).slice(11, 23);
    const lvl = this.colors ? `\u001b[${COLOURS[String(j.level)] ?? '0'}m${level}\u001b[0m` : level;
    const attrs = j.attributes ? ` ${safeJson(j.attributes)}` : '';
    const body = typeof j.body === 'string' ? j.body : safeJson(j.body);
    return `${time} ${lvl} ${String(j.logger)}: ${body}${attrs}`;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
