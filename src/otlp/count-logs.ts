import { ProtoReader } from './ProtoReader.ts';

/**
 * Counts the log records in an `ExportLogsServiceRequest` without decoding them: walks
 * resource_logs → scope_logs and counts `log_records` fields. Used by counting sinks (benchmarks,
 * load tests) where building the full object tree would cost more than the sender being measured.
 * Malformed input throws {@link import('./ProtoReader.ts').ProtoDecodeError}.
 */
export function countLogRecords(buf: Uint8Array): number {
  let count = 0;
  const req = new ProtoReader(buf);
  while (!req.done) {
    const t = req.tag();
    if (t !== ((1 << 3) | 2)) {
      req.skip(t & 7);
      continue;
    }
    const [rs, re] = req.delimited();
    const rl = new ProtoReader(buf, rs, re);
    while (!rl.done) {
      const t2 = rl.tag();
      if (t2 !== ((2 << 3) | 2)) {
        rl.skip(t2 & 7);
        continue;
      }
      const [ss, se] = rl.delimited();
      const sl = new ProtoReader(buf, ss, se);
      while (!sl.done) {
        const t3 = sl.tag();
        if (t3 === ((2 << 3) | 2)) count++;
        sl.skip(t3 & 7);
      }
    }
  }
  return count;
}
