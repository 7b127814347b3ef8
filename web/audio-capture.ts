import { levelDb } from '../src/audio/level';
import { floatToPcm16 } from '../src/audio/pcm16';
import { PIPELINE_SAMPLE_RATE } from '../src/audio/pipeline-rate';
import { StreamingResampler } from '../src/audio/streaming-resampler';

export type AudioInput = { kind: 'mic'; deviceId?: string } | { kind: 'display' };

export interface CaptureHandlers {
  /** 16 kHz mono PCM16. */
  audio(pcm: Int16Array): void;
  level(db: number): void;
  /** The source stopped by itself (device unplugged, tab sharing ended). */
  ended(): void;
}

export class CaptureError extends Error {}

/** Lists audio inputs; labels appear once the person has allowed microphone access. */
export async function listMicrophones(): Promise<MediaDeviceInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.filter((d) => d.kind === 'audioinput');
}

async function openStream(input: AudioInput): Promise<MediaStream> {
  if (!navigator.mediaDevices) {
    throw new CaptureError('This page needs a secure context (https or localhost) to use audio.');
  }
  try {
    if (input.kind === 'display') {
      // Browsers only share tab or system audio together with video; the video is dropped.
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
      stream.getVideoTracks().forEach((t) => {
        t.stop();
        stream.removeTrack(t);
      });
      if (stream.getAudioTracks().length === 0) {
        throw new CaptureError('No audio was shared: pick a tab and tick "Share tab audio".');
      }
      return stream;
    }
    return await navigator.mediaDevices.getUserMedia({
      audio: {
        deviceId: input.deviceId ? { exact: input.deviceId } : undefined,
        channelCount: 1,
        echoCancellation: true,
        noiseSuppression: true,
      },
    });
  } catch (error) {
    if (error instanceof CaptureError) throw error;
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'NotAllowedError') throw new CaptureError('Access to audio was not allowed.');
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      throw new CaptureError('That audio input was not found. Pick another one.');
    }
    throw new CaptureError(`Could not open the audio input: ${String(error)}`);
  }
}

/**
 * Captures an input with an AudioWorklet and turns it into 16 kHz mono PCM16 in the page (the
 * AudioContext runs at the device's rate; the resampler keeps its phase across blocks).
 */
export class AudioCapture {
  private context?: AudioContext;
  private stream?: MediaStream;

  async start(input: AudioInput, handlers: CaptureHandlers): Promise<void> {
    const stream = await openStream(input);
    this.stream = stream;
    const context = new AudioContext();
    this.context = context;
    await context.audioWorklet.addModule('/assets/capture-worklet.js');
    const source = context.createMediaStreamSource(stream);
    const node = new AudioWorkletNode(context, 'pcm-capture', { numberOfOutputs: 1 });
    const mute = context.createGain();
    mute.gain.value = 0;
    source.connect(node);
    node.connect(mute).connect(context.destination);
    const resampler = new StreamingResampler(context.sampleRate, PIPELINE_SAMPLE_RATE);
    node.port.onmessage = (event: MessageEvent<Float32Array>) => {
      const block = event.data;
      handlers.level(levelDb(block));
      const pcm = floatToPcm16(resampler.push(block));
      if (pcm.length > 0) handlers.audio(pcm);
    };
    stream.getAudioTracks().forEach((t) => t.addEventListener('ended', () => handlers.ended()));
    if (context.state === 'suspended') await context.resume();
  }

  async stop(): Promise<void> {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = undefined;
    const context = this.context;
    this.context = undefined;
    if (context && context.state !== 'closed') await context.close();
  }
}
