import { readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import type { BatchSink } from '../../src/collector/Shipper.ts';
import { nativeToRows, rowsToNative } from '../../src/storage/native-format.ts';
import type { LogRow } from '../../src/storage/rows.ts';
import { decodeSpoolFile, encodeSpoolFile, SpoolCorruptError } from '../../src/collector/spool-format.ts';
import { queryRows, startTestCollector, tempDir } from '../helpers/collector.ts';
import { encodeRequest, RawOtlpClient } from './otlp-client.ts';

const tmp = tempDir();
afterAll(() => tmp.cleanup());

const row = (i: number): LogRow => [
  `1795465089.${String(i).padStart(9, '0')}`, '', '', 0, 'INFO', 9, 'svc', `body ${i}`, '', { 'service.name': 'svc' }, '', 's', '', {}, { k: String(i) }, '', `1795465089.${String(i).padStart(9, '0')}`,
];

describe('spool file format', () => {
  it('detects truncation, bit flips and foreign files by checksum and header', () => {
    const rows = [row(1), row(2)];
    const good = encodeSpoolFile({ token: 't', rowCount: 2, data: rowsToNative(rows), requests: ['r1'] });
    const back = decodeSpoolFile(good);
    expect({ ...back, data: nativeToRows(back.data) }).toEqual({ token: 't', rowCount: 2, data: rows, requests: ['r1'] });
    const flipped = Buffer.from(good);
    flipped[flipped.length - 3] ^= 0x20;
    expect(() => decodeSpoolFile(flipped)).toThrow(/checksum mismatch/);
    expect(() => decodeSpoolFile(good.subarray(0, good.length - 1))).toThrow(/partial write/);
    expect(() => decodeSpoolFile(good.subarray(0, 5))).toThrow(SpoolCorruptError);
    expect(() => decodeSpoolFile(Buffer.from('{"token":"t","rows":[]}'))).toThrow(/bad magic/);
  });

  it('still reads a batch spooled by the previous format (JSON rows) and converts it', () => {
    const body = Buffer.from(JSON.stringify({ token: 'old', rows: [row(7)], requests: ['k'] }), 'utf8');
    const header = Buffer.alloc(16);
    header.write('LOGQSPL1', 0, 'latin1');
    header.writeUInt32LE(body.length, 8);
    header.writeUInt32LE(crc32(body), 12);
    const back = decodeSpoolFile(Buffer.concat([header, body]));
    expect(back.token).toBe('old');
    expect(back.rowCount).toBe(1);
    expect(back.requests).toEqual(['k']);
    expect(nativeToRows(back.data)).toEqual([row(7)]);
    const bad = Buffer.from(JSON.stringify({ token: 'old', rows: [[1, 'a']] }), 'utf8');
    header.writeUInt32LE(bad.length, 8);
    header.writeUInt32LE(crc32(bad), 12);
    expect(() => decodeSpoolFile(Buffer.concat([header, bad]))).toThrow(/version-1 spool file do not fit otel_logs/);
  });
});

describe('corrupt spool files', () => {
  it('are quarantined and reported at start-up; the other batches replay', async () => {
    let down = true;
    const wrapSink = (sink: BatchSink): BatchSink => async (batch, token) => {
      if (down) throw new Error('injected outage');
      await sink(batch, token);
    };
    const spoolDir = join(tmp.dir, 'spool');
    const opts = { batchMaxRows: 100, batchMaxDelayMs: 10, spoolDir };
    let c = await startTestCollector(tmp.dir, opts, { wrapSink, drainTimeoutMs: 0 });
    const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    for (let b = 0; b < 5; b++) {
      const records = Array.from({ length: 100 }, (_, k) => ({ body: `b${b} r${k}`, severityNumber: 9, attributes: { batch: String(b) } }));
      const r = await client.export(encodeRequest('corrupt-svc', records));
      expect(r.ok).toBe(true);
    }
    client.close();
    await c.stop();

    const files = readdirSync(spoolDir).filter((f) => f.endsWith('.spool')).sort();
    expect(files).toHaveLength(5);
    // Batch 1: a flipped byte in the payload. Batch 3: cut short, as by a crash mid-write.
    const f1 = join(spoolDir, files[1]);
    const bytes = readFileSync(f1);
    bytes[bytes.length - 10] ^= 0x01;
    writeFileSync(f1, bytes);
    truncateSync(join(spoolDir, files[3]), 100);
    // A temporary file left by a crash before its rename.
    writeFileSync(join(spoolDir, '000000999999.spool.tmp'), 'half a batch');

    down = false;
    c = await startTestCollector(tmp.dir, opts, { wrapSink });
    try {
      const quarantined = readdirSync(join(spoolDir, 'quarantine'));
      expect(quarantined).toHaveLength(3);
      expect(quarantined.some((f) => f.startsWith(files[1]))).toBe(true);
      expect(quarantined.some((f) => f.startsWith(files[3]))).toBe(true);
      expect(c.spool.stats.quarantinedFiles).toBe(3);
      expect(await c.metrics.metrics()).toMatch(/logq_spool_quarantined_files_total 3/);
      const end = Date.now() + 30_000;
      while (c.spool.entries.length && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      const rows = await queryRows<{ batch: string; n: string }>(
        c,
        "SELECT LogAttributes['batch'] AS batch, count() AS n FROM otel.otel_logs WHERE ServiceName = 'corrupt-svc' GROUP BY batch ORDER BY batch",
      );
      expect(rows.map((r) => [r.batch, Number(r.n)])).toEqual([['0', 100], ['2', 100], ['4', 100]]);
    } finally {
      await c.stop();
    }
  });
});

describe('rows ClickHouse refuses as invalid data', () => {
  it('are isolated by splitting the batch, set aside in the quarantine, and do not block the spool', async () => {
    const wrapSink = (sink: BatchSink): BatchSink => async (batch, token) => {
      // Fault injected on purpose around the real writer: a parse error (code 27) for a marked row.
      if (batch.rows().some((r) => r[7].includes('POISON'))) throw Object.assign(new Error('Cannot parse input: injected'), { code: '27' });
      await sink(batch, token);
    };
    const spoolDir = join(tmp.dir, 'spool-poison');
    const c = await startTestCollector(tmp.dir, { batchMaxRows: 1000, batchMaxDelayMs: 10, spoolDir }, { wrapSink });
    try {
      const client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      const records = Array.from({ length: 50 }, (_, k) => ({ body: k === 17 ? 'POISON row' : `fine ${k}`, severityNumber: 9 }));
      expect((await client.export(encodeRequest('poison-svc', records))).ok).toBe(true);
      client.close();
      const end = Date.now() + 30_000;
      while ((c.spool.entries.length || c.stats.pendingRows) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      const [row] = await queryRows<{ n: string }>(c, "SELECT count() AS n FROM otel.otel_logs WHERE ServiceName = 'poison-svc'");
      expect(Number(row.n)).toBe(49);
      expect(c.shipperStats.poisonRows).toBe(1);
      expect(c.shipperStats.failingSince).toBe(0);
      const lines = readFileSync(join(spoolDir, 'quarantine', 'rejected-rows.jsonl'), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0])).toMatchObject({ reason: 'Cannot parse input: injected' });
      expect(JSON.parse(lines[0]).row[7]).toBe('POISON row');
      expect(await c.metrics.metrics()).toMatch(/logq_exporter_rejected_log_records_total 1/);
    } finally {
      await c.stop();
    }
  });
});

describe('request journal across a restart', () => {
  it('a request resent after a restart (its answer lost in the crash) is not stored again', async () => {
    const spoolDir = join(tmp.dir, 'spool-journal');
    const payload = encodeRequest('journal-svc', Array.from({ length: 30 }, (_, k) => ({ body: `j ${k}`, severityNumber: 9 })));
    let c = await startTestCollector(tmp.dir, { batchMaxDelayMs: 10, spoolDir });
    let client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
    expect((await client.export(payload)).ok).toBe(true);
    client.close();
    await c.stop(); // ships the batch, journals the request key, deletes the spool file
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.spool'))).toEqual([]);

    c = await startTestCollector(tmp.dir, { batchMaxDelayMs: 10, spoolDir });
    try {
      client = new RawOtlpClient(`127.0.0.1:${c.grpcPort}`);
      expect((await client.export(payload)).ok).toBe(true);
      client.close();
      expect(await c.metrics.metrics()).toMatch(/logq_receiver_duplicate_requests_total 1/);
      const [row] = await queryRows<{ n: string }>(c, "SELECT count() AS n FROM otel.otel_logs WHERE ServiceName = 'journal-svc'");
      expect(Number(row.n)).toBe(30);
    } finally {
      await c.stop();
    }
  });
});
