import { WireType, type ProtoWriter } from '../../src/otlp/ProtoWriter.ts';

/** Writes a KeyValue with a string value as field `field` of the message being written (hand-built OTLP in tests). */
export function writeStringKeyValue(w: ProtoWriter, field: number, key: string, value: string): void {
  w.tag(field, WireType.LEN);
  const at = w.beginMessage();
  w.tag(1, WireType.LEN);
  w.string(key);
  w.tag(2, WireType.LEN);
  const v = w.beginMessage();
  w.tag(1, WireType.LEN);
  w.string(value);
  w.endMessage(v);
  w.endMessage(at);
}
