import { percentile } from 'src/client/shared/stats';

export { percentile };

export function summary(values: number[]): string {
  return `p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms`;
}
