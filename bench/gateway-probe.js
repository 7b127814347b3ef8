/**
 * Preloaded (`node -r`) into the gateway process the gateway benchmark starts from dist/, so the
 * gateway runs as users run it and is still measured from inside, over exactly the measured
 * window: CPU time, event-loop delay (5 ms resolution) and every audio-processing lag sample
 * (the metric itself only keeps buckets). Driven over the IPC channel: 'start', then 'stop',
 * which answers with the figures. Plain JavaScript: the measured process loads no compiler.
 */
const { monitorEventLoopDelay, performance } = require('node:perf_hooks');
const { Histogram } = require('prom-client');

const AUDIO_LAG = 'rt_gateway_audio_processing_lag_seconds';
let audioLagsMs = null;
let loop;
let cpu;
let startedAt = 0;

// prom-client binds `observe` per instance to this method (no exemplars).
const observe = Histogram.prototype.observeWithoutExemplar;
Histogram.prototype.observeWithoutExemplar = function (...args) {
  if (audioLagsMs && this.name === AUDIO_LAG) {
    const value = typeof args[0] === 'number' ? args[0] : args[1];
    audioLagsMs.push(value * 1000);
  }
  return observe.apply(this, args);
};

process.on('message', (message) => {
  if (message === 'start') {
    audioLagsMs = [];
    loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    cpu = process.cpuUsage();
    startedAt = performance.now();
  } else if (message === 'stop' && loop) {
    loop.disable();
    const used = process.cpuUsage(cpu);
    process.send({
      type: 'probe',
      cpuMs: (used.user + used.system) / 1000,
      measuredMs: performance.now() - startedAt,
      lagP99Ms: loop.percentile(99) / 1e6,
      lagMaxMs: loop.max / 1e6,
      audioLagsMs,
    });
    audioLagsMs = null;
  }
});
