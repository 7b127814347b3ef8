import { pageTokenSource, promptForKey } from './credentials';
import type { FinalFrame, ServerFrame } from '../src/client/shared/protocol';
import { typableInterim } from '../src/client/shared/protocol';
import { wsUrlFromPage } from '../src/client/shared/session-url';
import { toSrt, toVtt } from '../src/client/shared/subtitle-export';
import { TranscriptModel } from '../src/client/shared/transcript.model';
import { TextAreaTyping } from '../src/client/shared/typing-plan';
import { levelFraction } from '../src/client/shared/level-meter';
import { AudioCapture, type AudioInput, CaptureError, listMicrophones } from './audio-capture';
import { type CaptionShow, CaptionView } from './caption-view';
import { fillLanguages } from './languages';
import { type ConnectionState, LiveStream } from './live-stream';
import { RoomPanel } from './room-panel';

type Mode = 'typing' | 'subtitle';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

const ui = {
  connection: $<HTMLSpanElement>('connection'),
  problem: $<HTMLDivElement>('problem'),
  input: $<HTMLSelectElement>('input'),
  source: $<HTMLSelectElement>('source'),
  target1: $<HTMLSelectElement>('target1'),
  target2: $<HTMLSelectElement>('target2'),
  level: $<HTMLDivElement>('level'),
  typingButton: $<HTMLButtonElement>('mode-typing'),
  subtitleButton: $<HTMLButtonElement>('mode-subtitle'),
  typingPanel: $<HTMLElement>('typing-panel'),
  subtitlePanel: $<HTMLElement>('subtitle-panel'),
  editor: $<HTMLTextAreaElement>('editor'),
  copy: $<HTMLButtonElement>('copy'),
  downloadTxt: $<HTMLButtonElement>('download-txt'),
  clear: $<HTMLButtonElement>('clear'),
  captions: $<HTMLDivElement>('captions'),
  show: $<HTMLSelectElement>('show'),
  popout: $<HTMLButtonElement>('popout'),
  overlayLink: $<HTMLAnchorElement>('overlay-link'),
  exportLanguage: $<HTMLSelectElement>('export-language'),
  downloadSrt: $<HTMLButtonElement>('download-srt'),
  downloadVtt: $<HTMLButtonElement>('download-vtt'),
  finals: $<HTMLOListElement>('finals'),
};

const STATE_WORDS: Record<ConnectionState, string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  closing: 'Finishing…',
  closed: 'Stopped',
};

const room = new RoomPanel((message) => showProblem(message));
const model = new TranscriptModel();
const typing = new TextAreaTyping();
const captions = new CaptionView(ui.captions);
let mode: Mode | undefined;
let stream: LiveStream | undefined;
let capture: AudioCapture | undefined;
// After a session that could not be resumed, the next one numbers and times from zero again.
let seqOffset = 0;
let timeOffset = 0;

function targets(): string[] {
  return [...new Set([ui.target1.value, ui.target2.value].filter((t) => t !== ''))];
}

function showProblem(message: string | undefined): void {
  ui.problem.hidden = !message;
  ui.problem.textContent = message ?? '';
}

function setState(state: ConnectionState, detail?: string): void {
  ui.connection.dataset.state = state;
  ui.connection.textContent = STATE_WORDS[state];
  ui.connection.title = detail ?? '';
  if (state === 'live') showProblem(undefined);
  if (state === 'reconnecting' && detail) showProblem(`${detail} Reconnecting…`);
}

function setMode(next: Mode | undefined): void {
  mode = next;
  ui.typingButton.setAttribute('aria-pressed', String(next === 'typing'));
  ui.subtitleButton.setAttribute('aria-pressed', String(next === 'subtitle'));
  if (next) {
    ui.typingPanel.hidden = next !== 'typing';
    ui.subtitlePanel.hidden = next !== 'subtitle';
  }
}

/** Writes into the editor without moving the person's caret or selection. */
function updateEditor(value: string): void {
  const el = ui.editor;
  const atEnd = el.selectionStart === el.value.length && el.selectionEnd === el.value.length;
  const { selectionStart, selectionEnd } = el;
  el.value = value;
  if (atEnd || document.activeElement !== el) {
    el.selectionStart = el.selectionEnd = value.length;
    el.scrollTop = el.scrollHeight;
  } else {
    el.setSelectionRange(selectionStart, selectionEnd);
  }
}

function addFinalToLog(frame: FinalFrame): void {
  const item = document.createElement('li');
  item.dataset.seq = String(frame.seq);
  item.textContent = `[${frame.language}] ${frame.text.trim()}`;
  ui.finals.append(item);
}

function addTranslationToLog(utteranceId: string, language: string, text: string): void {
  const seg = model.segments.find((s) => s.utteranceId === utteranceId);
  const item = seg ? ui.finals.querySelector(`li[data-seq="${seg.seq}"]`) : null;
  if (!item) return;
  const line = document.createElement('div');
  line.className = 'translation';
  line.dataset.language = language;
  line.textContent = `→ ${language}: ${text}`;
  item.append(line);
}

function onFrame(frame: ServerFrame): void {
  switch (frame.type) {
    case 'realtime':
      model.applyRealtime(frame, frame.translation);
      updateEditor(typing.interim(ui.editor.value, typableInterim(frame)));
      break;
    case 'final': {
      const shifted: FinalFrame = {
        ...frame,
        seq: frame.seq + seqOffset,
        start: frame.start + timeOffset,
        end: frame.end + timeOffset,
      };
      if (model.applyFinal(shifted) === 'final') {
        updateEditor(typing.final(ui.editor.value, frame.text));
        if (frame.text.trim()) addFinalToLog(shifted);
      }
      break;
    }
    case 'translation':
      model.applyTranslation(frame);
      addTranslationToLog(frame.utterance_id, frame.language, frame.text);
      break;
    case 'error':
      // Shown by LiveStream in words.
      break;
    case 'room':
      room.show(frame);
      break;
    default:
      break;
  }
  captions.render(model);
}

let shownLevel = 0;
let peakLevel = 0;

/** The meter falls back slowly, so short words stay visible. */
function showLevel(fraction: number): void {
  shownLevel = Math.max(fraction, shownLevel * 0.85);
  peakLevel = Math.max(peakLevel, fraction);
  ui.level.style.width = `${Math.round(shownLevel * 100)}%`;
}

function selectedInput(): AudioInput {
  const value = ui.input.value;
  if (value === 'display') return { kind: 'display' };
  return { kind: 'mic', deviceId: value || undefined };
}

/** Short-lived tokens per connect; an API key is typed once and kept in this tab only. */
const tokens = pageTokenSource(promptForKey);

async function start(next: Mode): Promise<void> {
  setMode(next);
  showProblem(undefined);
  const url = wsUrlFromPage(location.href);
  stream = new LiveStream(
    url,
    {
      source: ui.source.value,
      targets: targets(),
      interimTranslations: targets().length > 0,
      ...room.query(),
    },
    {
      state: setState,
      frame: onFrame,
      problem: showProblem,
      newSession: () => {
        seqOffset = model.lastSegment?.seq ?? 0;
        timeOffset = model.lastSegment?.end ?? 0;
      },
    },
    tokens,
  );
  capture = new AudioCapture();
  try {
    await capture.start(selectedInput(), {
      audio: (pcm) => stream?.sendAudio(pcm),
      level: (db) => showLevel(levelFraction(db)),
      ended: () => void stop(),
    });
  } catch (error) {
    showProblem(error instanceof CaptureError ? error.message : String(error));
    await capture.stop();
    capture = undefined;
    stream = undefined;
    setMode(undefined);
    return;
  }
  stream.start();
  await refreshInputs();
}

async function stop(): Promise<void> {
  const s = stream;
  const c = capture;
  stream = undefined;
  capture = undefined;
  setMode(undefined);
  await c?.stop();
  shownLevel = 0;
  ui.level.style.width = '0';
  await s?.stop();
  model.applyRealtime({ text: '' });
  captions.render(model);
}

async function onModeClick(clicked: Mode): Promise<void> {
  if (mode === clicked) return stop();
  if (mode && stream) {
    // Switching modes keeps the stream running.
    setMode(clicked);
    return;
  }
  return start(clicked);
}

function onLanguageChange(): void {
  captions.language = targets()[0] ?? '';
  refreshExportLanguages();
  updateOverlayLink();
  stream?.configure({
    source: ui.source.value,
    targets: targets(),
    interimTranslations: targets().length > 0,
  });
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function refreshExportLanguages(): void {
  const current = ui.exportLanguage.value;
  const options = [new Option('transcript', '')];
  for (const t of targets()) options.push(new Option(`translation (${t})`, t));
  ui.exportLanguage.replaceChildren(...options);
  ui.exportLanguage.value = targets().includes(current) ? current : '';
}

function updateOverlayLink(): void {
  const params = new URLSearchParams({ source: ui.source.value, show: ui.show.value });
  if (targets().length) params.set('targets', targets().join(','));
  ui.overlayLink.href = `/subtitles?${params.toString()}`;
}

async function refreshInputs(): Promise<void> {
  const current = ui.input.value;
  const mics = await listMicrophones().catch(() => []);
  const options = mics.map(
    (d, i) =>
      new Option(d.label || `Microphone ${i + 1}`, d.deviceId === 'default' ? '' : d.deviceId),
  );
  if (!options.some((o) => o.value === '')) options.unshift(new Option('Default microphone', ''));
  if ('getDisplayMedia' in (navigator.mediaDevices ?? {})) {
    options.push(new Option('Tab or system audio (screen share)', 'display'));
  }
  ui.input.replaceChildren(...options);
  if ([...ui.input.options].some((o) => o.value === current)) ui.input.value = current;
}

interface DocumentPictureInPicture {
  requestWindow(options: { width: number; height: number }): Promise<Window>;
}

async function popOut(): Promise<void> {
  const pip = (window as unknown as { documentPictureInPicture?: DocumentPictureInPicture })
    .documentPictureInPicture;
  if (!pip) return;
  const win = await pip.requestWindow({ width: 720, height: 160 });
  for (const sheet of document.querySelectorAll('link[rel="stylesheet"]')) {
    win.document.head.append(sheet.cloneNode(true));
  }
  win.document.body.className = 'pip';
  const stage = ui.captions.parentElement!;
  win.document.body.append(ui.captions);
  win.addEventListener('pagehide', () => stage.append(ui.captions));
}

function init(): void {
  fillLanguages(ui.source, ['auto', 'Detect automatically']);
  fillLanguages(ui.target1, ['', 'No translation']);
  fillLanguages(ui.target2, ['', '—']);
  const params = new URLSearchParams(location.search);
  ui.source.value = params.get('source') ?? 'auto';
  const [t1 = '', t2 = ''] = (params.get('targets') ?? '').split(',');
  ui.target1.value = t1;
  ui.target2.value = t2;
  captions.language = targets()[0] ?? '';
  refreshExportLanguages();
  updateOverlayLink();
  void refreshInputs();
  navigator.mediaDevices?.addEventListener?.('devicechange', () => void refreshInputs());

  ui.typingButton.addEventListener('click', () => void onModeClick('typing'));
  ui.subtitleButton.addEventListener('click', () => void onModeClick('subtitle'));
  for (const s of [ui.source, ui.target1, ui.target2])
    s.addEventListener('change', onLanguageChange);
  ui.show.addEventListener('change', () => {
    captions.show = ui.show.value as CaptionShow;
    captions.render(model);
    updateOverlayLink();
  });
  ui.copy.addEventListener('click', () => void navigator.clipboard?.writeText(ui.editor.value));
  ui.downloadTxt.addEventListener('click', () =>
    download('transcript.txt', ui.editor.value, 'text/plain'),
  );
  ui.clear.addEventListener('click', () => {
    ui.editor.value = '';
    typing.reset();
  });
  const exportOptions = (): { language?: string; bilingual?: boolean } =>
    ui.exportLanguage.value ? { language: ui.exportLanguage.value } : {};
  ui.downloadSrt.addEventListener('click', () =>
    download('transcript.srt', toSrt(model.segments, exportOptions()), 'application/x-subrip'),
  );
  ui.downloadVtt.addEventListener('click', () =>
    download('transcript.vtt', toVtt(model.segments, exportOptions()), 'text/vtt'),
  );
  if ('documentPictureInPicture' in window) {
    ui.popout.hidden = false;
    ui.popout.addEventListener('click', () => void popOut());
  }
  // Keeps the caption timing (hold, then clear) moving between frames.
  setInterval(() => captions.render(model), 500);
  setState('idle');
  setMode(undefined);
  ui.typingPanel.hidden = false;

  // For tests and diagnostics.
  Object.assign(window, {
    rtDebug: {
      simulateDrop: () => stream?.simulateDrop(),
      srt: () => toSrt(model.segments, exportOptions()),
      vtt: () => toVtt(model.segments, exportOptions()),
      transcript: () => model.committedText(),
      lastSeq: () => stream?.lastSeq ?? 0,
      peakLevel: () => peakLevel,
    },
  });
}

init();
