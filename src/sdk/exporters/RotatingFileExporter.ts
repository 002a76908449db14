import { closeSync, existsSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { recordToJson, safeJson } from './format-record.ts';

/** Options of {@link RotatingFileExporter}. */
export interface RotatingFileExporterOptions {
  /** The live file (its folder is created). Rotated files are `<path>.1` (newest) … `<path>.<maxFiles>`. */
  path: string;
  /** Size at which the file rotates, in bytes. @default 10485760 (10 MiB) */
  maxBytes?: number;
  /** Rotated files kept besides the live one. @default 5 */
  maxFiles?: number;
}

/**
 * Writes JSON lines to a file and rotates it by size (the seed's `MakeRotatingFileHandler`):
 * when the next batch would pass `maxBytes`, `path` becomes `path.1`, `path.1` becomes `path.2`, …,
 * and the oldest beyond `maxFiles` is deleted. A single batch larger than `maxBytes` is still
 * written whole, to a fresh file.
 */
export class RotatingFileExporter implements LogRecordExporter {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private fd: number | undefined;
  private size = 0;

  constructor(options: RotatingFileExporterOptions) {
    if (!options?.path) throw new Error('RotatingFileExporter: option "path" is required (a file path)');
    this.path = options.path;
    this.maxBytes = options.maxBytes && options.maxBytes > 0 ? options.maxBytes : 10 * 1024 * 1024;
    this.maxFiles = options.maxFiles !== undefined && options.maxFiles >= 0 ? Math.floor(options.maxFiles) : 5;
  }

  private open(): number {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, 'a');
      this.size = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    if (this.maxFiles === 0) {
      rmSync(this.path, { force: true });
    } else {
      rmSync(`${this.path}.${this.maxFiles}`, { force: true });
      for (let i = this.maxFiles - 1; i >= 1; i--) {
        if (existsSync(`${this.path}.${i}`)) renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
      }
      if (existsSync(this.path)) renameSync(this.path, `${this.path}.1`);
    }
  }

  export(records: ReadableLogRecord[], done: (result: ExportResult) => void): void {
    try {
      let text = '';
      for (const rec of records) text += safeJson(recordToJson(rec)) + '\n';
      const chunk = Buffer.from(text);
      this.open();
      if (this.size > 0 && this.size + chunk.length > this.maxBytes) this.rotate();
      const fd = this.open();
      writeSync(fd, chunk);
      this.size += chunk.length;
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    return Promise.resolve();
  }
}
