import { type Writable } from './printers';

/** `[#####.....] 5/10 label` on one line of a terminal; silent elsewhere. */
export function renderBar(done: number, total: number, width = 30, label = ''): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(fraction * width);
  const pct = String(Math.round(fraction * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% ${done}/${total}${label ? ` ${label}` : ''}`;
}

export class ProgressBar {
  private last = '';

  constructor(
    private readonly out: Writable,
    private readonly total: number,
  ) {}

  update(done: number, label = ''): void {
    if (!this.out.isTTY) return;
    const line = renderBar(done, this.total, 30, label);
    if (line === this.last) return;
    this.last = line;
    this.out.write(`\r\x1b[2K${line}`);
  }

  finish(): void {
    if (this.out.isTTY && this.last) this.out.write('\n');
  }
}
