// AudioWorklet: collects the first input channel into blocks of about 40 ms and posts them to the
// page, which resamples them to 16 kHz PCM16.
class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.size = Math.max(256, Math.round(sampleRate * 0.04));
    this.buffer = new Float32Array(this.size);
    this.filled = 0;
  }

  process(inputs) {
    const channels = inputs[0];
    if (channels && channels.length > 0) {
      const first = channels[0];
      let at = 0;
      while (at < first.length) {
        const n = Math.min(first.length - at, this.size - this.filled);
        if (channels.length === 1) {
          this.buffer.set(first.subarray(at, at + n), this.filled);
        } else {
          for (let i = 0; i < n; i++) {
            let sum = 0;
            for (let c = 0; c < channels.length; c++) sum += channels[c][at + i];
            this.buffer[this.filled + i] = sum / channels.length;
          }
        }
        this.filled += n;
        at += n;
        if (this.filled === this.size) {
          this.port.postMessage(this.buffer);
          this.buffer = new Float32Array(this.size);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor('pcm-capture', PcmCapture);
