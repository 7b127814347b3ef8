import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PIPELINE_SAMPLE_RATE } from '../audio/pipeline-rate';

/** 10 ms at 16 kHz: the frame size this wrapper feeds libfvad. */
export const WEBRTC_FRAME_SAMPLES = PIPELINE_SAMPLE_RATE / 100;

// @types/node 20 does not declare the WebAssembly global (and lib has no DOM): the little used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<{ exports: Record<string, unknown> }>;
  Module: { imports(module: object): { module: string; name: string }[] };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface FvadExports {
  memory: WasmMemory;
  ctors: () => void;
  malloc: (bytes: number) => number;
  free: (ptr: number) => void;
  fvadNew: () => number;
  fvadFree: (handle: number) => void;
  fvadSetMode: (handle: number, mode: number) => number;
  fvadSetSampleRate: (handle: number, rate: number) => number;
  fvadProcess: (handle: number, frame: number, length: number) => number;
}

/**
 * libfvad (the WebRTC VAD) compiled to wasm by @echogarden/fvad-wasm. The package's glue is an
 * ES module that CommonJS (and Jest) cannot load, so the .wasm is instantiated here directly; the
 * minified export names are read from the package's own glue file, so a rebuilt package still
 * works, and a package whose glue no longer matches fails loudly at startup.
 */
export class FvadWasm {
  private scratch = 0;

  private constructor(private readonly x: FvadExports) {}

  static async load(): Promise<FvadWasm> {
    const dir = dirname(require.resolve('@echogarden/fvad-wasm/package.json'));
    const glue = readFileSync(join(dir, 'fvad.js'), 'utf8');
    const names = new Map<string, string>();
    for (const [, name, exported] of glue.matchAll(/Module\["(_\w+)"\]=wasmExports\["(\w+)"\]/g)) {
      if (name !== undefined && exported !== undefined) names.set(name, exported);
    }
    const pick = (re: RegExp, what: string): string => {
      const found = re.exec(glue)?.[1];
      if (found === undefined)
        throw new Error(`@echogarden/fvad-wasm: cannot find ${what} in fvad.js`);
      return found;
    };
    names.set('memory', pick(/wasmMemory=wasmExports\["(\w+)"\]/, 'the memory export'));
    names.set('ctors', pick(/___wasm_call_ctors=wasmExports\["(\w+)"\]/, 'the constructors'));
    const importList = pick(/wasmImports=\{([^}]*)\}/, 'the import table');

    // Filled once the instance exists; the heap can only grow after that.
    const heap: { memory?: WasmMemory } = {};
    const implementations: Record<string, (...args: number[]) => number> = {
      ___assert_fail: () => {
        throw new Error('libfvad assertion failed');
      },
      _emscripten_resize_heap: (requested: number) => {
        const memory = heap.memory;
        if (!memory) return 0;
        const needed = (requested >>> 0) - memory.buffer.byteLength;
        if (needed <= 0) return 1;
        try {
          memory.grow(Math.ceil(needed / 65536));
          return 1;
        } catch {
          return 0;
        }
      },
    };
    const env: Record<string, (...args: number[]) => number> = {};
    for (const entry of importList.split(',')) {
      const [key = '', impl] = entry.split(':');
      const fn = impl === undefined ? undefined : implementations[impl];
      if (!fn) throw new Error(`@echogarden/fvad-wasm: unknown wasm import ${impl}`);
      env[key] = fn;
    }
    const module = await wasm.compile(readFileSync(join(dir, 'fvad.wasm')));
    const importModule = wasm.Module.imports(module)[0]?.module ?? 'a';
    const instance = await wasm.instantiate(module, { [importModule]: env });
    const e = instance.exports;
    const get = <T>(name: string): T => {
      const key = names.get(name);
      const value = key === undefined ? undefined : e[key];
      if (value === undefined) throw new Error(`@echogarden/fvad-wasm: export ${name} missing`);
      return value as T;
    };
    const memory = get<WasmMemory>('memory');
    heap.memory = memory;
    const fvad = new FvadWasm({
      memory,
      ctors: get('ctors'),
      malloc: get('_malloc'),
      free: get('_free'),
      fvadNew: get('_fvad_new'),
      fvadFree: get('_fvad_free'),
      fvadSetMode: get('_fvad_set_mode'),
      fvadSetSampleRate: get('_fvad_set_sample_rate'),
      fvadProcess: get('_fvad_process'),
    });
    fvad.x.ctors();
    fvad.scratch = fvad.x.malloc(WEBRTC_FRAME_SAMPLES * 2);
    if (!fvad.scratch) throw new Error('@echogarden/fvad-wasm: malloc failed');
    return fvad;
  }

  /** A new detector instance (its own state) in mode 0-3 at 16 kHz. */
  create(mode: number): WebRtcVad {
    if (!Number.isInteger(mode) || mode < 0 || mode > 3) {
      throw new RangeError(`WebRTC VAD mode must be an integer 0-3, got ${mode}`);
    }
    const handle = this.x.fvadNew();
    if (!handle) throw new Error('fvad_new failed (out of wasm memory)');
    if (
      this.x.fvadSetSampleRate(handle, PIPELINE_SAMPLE_RATE) !== 0 ||
      this.x.fvadSetMode(handle, mode) !== 0
    ) {
      this.x.fvadFree(handle);
      throw new Error('fvad configuration failed');
    }
    return new WebRtcVad(this, handle);
  }

  /** @internal 10 ms frame -> voiced? (the wasm is single-threaded, so one scratch buffer serves all) */
  process(handle: number, frame: Int16Array): boolean {
    new Int16Array(this.x.memory.buffer, this.scratch, WEBRTC_FRAME_SAMPLES).set(frame);
    const r = this.x.fvadProcess(handle, this.scratch, WEBRTC_FRAME_SAMPLES);
    if (r < 0) throw new Error('fvad_process failed');
    return r === 1;
  }

  /** @internal */
  release(handle: number): void {
    this.x.fvadFree(handle);
  }
}

/**
 * One stream's WebRTC VAD. Takes audio in any chunk size, runs libfvad on consecutive 10 ms
 * frames and carries the remainder over to the next call.
 */
export class WebRtcVad {
  private readonly carry = new Int16Array(WEBRTC_FRAME_SAMPLES);
  private carried = 0;
  private handle: number;

  constructor(
    private readonly fvad: FvadWasm,
    handle: number,
  ) {
    this.handle = handle;
  }

  /** Number of voiced 10 ms frames completed within `samples` (and the total completed). */
  process(samples: Int16Array): { voiced: number; frames: number } {
    if (!this.handle) throw new Error('WebRtcVad is disposed');
    let voiced = 0;
    let frames = 0;
    let i = 0;
    if (this.carried > 0) {
      const take = Math.min(WEBRTC_FRAME_SAMPLES - this.carried, samples.length);
      this.carry.set(samples.subarray(0, take), this.carried);
      this.carried += take;
      i = take;
      if (this.carried === WEBRTC_FRAME_SAMPLES) {
        frames++;
        if (this.fvad.process(this.handle, this.carry)) voiced++;
        this.carried = 0;
      }
    }
    for (; i + WEBRTC_FRAME_SAMPLES <= samples.length; i += WEBRTC_FRAME_SAMPLES) {
      frames++;
      if (this.fvad.process(this.handle, samples.subarray(i, i + WEBRTC_FRAME_SAMPLES))) voiced++;
    }
    if (i < samples.length) {
      this.carry.set(samples.subarray(i), 0);
      this.carried = samples.length - i;
    }
    return { voiced, frames };
  }

  dispose(): void {
    if (!this.handle) return;
    this.fvad.release(this.handle);
    this.handle = 0;
  }
}
