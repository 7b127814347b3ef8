/** 0..1 for a level meter: -60 dBFS and below is empty, 0 dBFS full. */
export function levelFraction(db: number): number {
  return Math.max(0, Math.min(1, (db + 60) / 60));
}
