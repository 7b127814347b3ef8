import {
  Counter,
  type CounterConfiguration,
  Gauge,
  type GaugeConfiguration,
  Histogram,
  type HistogramConfiguration,
  register,
} from 'prom-client';

// Get-or-create: several Nest apps can share one process (tests), and prom-client's default
// registry refuses a second metric of the same name.

export function counter<L extends string = string>(config: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(config.name) as Counter<L> | undefined) ?? new Counter(config);
}

export function gauge<L extends string = string>(config: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(config.name) as Gauge<L> | undefined) ?? new Gauge(config);
}

export function histogram<L extends string = string>(
  config: HistogramConfiguration<L>,
): Histogram<L> {
  return (
    (register.getSingleMetric(config.name) as Histogram<L> | undefined) ?? new Histogram(config)
  );
}
