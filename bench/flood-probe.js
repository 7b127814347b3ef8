/**
 * Preloaded (`node -r`) into the gateway that bench/flood.bench.ts attacks: over the window
 * between 'start' and 'stop' (IPC messages) it samples the resident set every 10 ms and records
 * the event-loop delay (5 ms resolution), then answers 'stop' with the peaks. Plain JavaScript:
 * the measured process loads no compiler.
 */
const { monitorEventLoopDelay } = require('node:perf_hooks');

let loop;
let sampler;
let peakRss = 0;
let startRss = 0;

process.on('message', (message) => {
  if (message === 'start') {
    startRss = process.memoryUsage.rss();
    peakRss = startRss;
    loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 10);
  } else if (message === 'stop' && loop) {
    clearInterval(sampler);
    loop.disable();
    process.send({
      type: 'probe',
      startRssMiB: startRss / 2 ** 20,
      peakRssMiB: Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20,
      lagP99Ms: loop.percentile(99) / 1e6,
      lagMaxMs: loop.max / 1e6,
    });
    loop = undefined;
  }
});
