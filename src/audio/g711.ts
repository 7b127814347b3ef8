/**
 * G.711 companded audio (ITU-T G.711), 8 bits per sample, to linear PCM16. Telephony sends these
 * (Deepgram's `encoding=mulaw` / `alaw`); both expand through a 256-entry table.
 */
export type G711Law = 'mulaw' | 'alaw';

function expandMuLaw(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  return u & 0x80 ? -magnitude : magnitude;
}

function expandALaw(byte: number): number {
  const a = byte ^ 0x55;
  const exponent = (a >> 4) & 0x07;
  const mantissa = a & 0x0f;
  const magnitude =
    exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
  return a & 0x80 ? magnitude : -magnitude;
}

const TABLES: Record<G711Law, Int16Array> = {
  mulaw: Int16Array.from({ length: 256 }, (_, byte) => expandMuLaw(byte)),
  alaw: Int16Array.from({ length: 256 }, (_, byte) => expandALaw(byte)),
};

/** One PCM16 sample per input byte. */
export function decodeG711(law: G711Law, bytes: Uint8Array): Int16Array {
  const table = TABLES[law];
  const out = new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]!]!;
  return out;
}
