import { toSrt } from '../src/client/shared/subtitle-export';
import type { Segment } from '../src/client/shared/transcript.model';

/**
 * The listener page of a live room (docs/rooms.md): join with the link (or the code) and an
 * optional passcode, read captions in the chosen language over WebSocket (or SSE:
 * `?transport=sse`, and as a fallback), resume after a drop from the last frame seen.
 */

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const ui = {
  join: $<HTMLFormElement>('join'),
  codeRow: $<HTMLLabelElement>('code-row'),
  code: $<HTMLInputElement>('code'),
  passcodeRow: $<HTMLLabelElement>('passcode-row'),
  passcode: $<HTMLInputElement>('passcode'),
  joinProblem: $<HTMLParagraphElement>('join-problem'),
  bar: $<HTMLElement>('bar'),
  language: $<HTMLSelectElement>('language'),
  smaller: $<HTMLButtonElement>('smaller'),
  bigger: $<HTMLButtonElement>('bigger'),
  theme: $<HTMLButtonElement>('theme'),
  txt: $<HTMLButtonElement>('download-txt'),
  srt: $<HTMLButtonElement>('download-srt'),
  status: $<HTMLSpanElement>('status'),
  captions: $<HTMLElement>('captions'),
  interim: $<HTMLDivElement>('interim'),
  live: $<HTMLButtonElement>('live'),
  ended: $<HTMLDivElement>('ended'),
};

interface Caption {
  seq: number;
  speaker: string;
  text: string;
  language: string;
  start: number;
  end: number;
  translation?: string;
  element: HTMLElement;
}

type Frame = Record<string, unknown> & { type: string };

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

const params = new URLSearchParams(location.search);
const pathRoom = /^\/room\/([A-Za-z0-9_-]{10,64})\/?$/.exec(location.pathname)?.[1];
const prefs = {
  language: params.get('language') ?? localStorage.getItem('room.language') ?? 'original',
  size: Number(localStorage.getItem('room.size') ?? '26'),
  theme:
    localStorage.getItem('room.theme') ??
    (matchMedia('(prefers-color-scheme: light)').matches ? 'light' : 'dark'),
};
let transport: 'ws' | 'sse' = params.get('transport') === 'sse' ? 'sse' : 'ws';

let roomId = pathRoom ?? '';
let token = '';
let lastId = '0';
let captions = new Map<number, Caption>();
let socket: WebSocket | undefined;
let events: EventSource | undefined;
let ended = false;
let attempt = 0;
let following = true;

function applyPrefs(): void {
  document.documentElement.style.setProperty('--size', `${prefs.size}px`);
  document.body.dataset.theme = prefs.theme;
  localStorage.setItem('room.size', String(prefs.size));
  localStorage.setItem('room.theme', prefs.theme);
  localStorage.setItem('room.language', prefs.language);
}

async function languageOptions(): Promise<void> {
  const names = new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' });
  const codes = new Set<string>();
  try {
    const list = (await (await fetch('/languages')).json()) as {
      code: string;
      targets?: string[];
    }[];
    for (const l of list) {
      codes.add(l.code);
      for (const t of l.targets ?? []) codes.add(t);
    }
  } catch {
    // Offline list: the original is always there.
  }
  ui.language.replaceChildren(new Option('Original language', 'original'));
  for (const code of [...codes].sort()) {
    ui.language.append(new Option(names.of(code) ?? code, code));
  }
  if (![...ui.language.options].some((o) => o.value === prefs.language)) {
    ui.language.append(new Option(prefs.language, prefs.language));
  }
  ui.language.value = prefs.language;
}

function setStatus(text: string): void {
  ui.status.textContent = text;
}

function render(caption: Caption): void {
  const translated = prefs.language !== 'original';
  const shown = translated ? caption.translation : caption.text;
  caption.element.className = `caption${translated && shown === undefined ? ' pending' : ''}`;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = caption.speaker;
  const line = document.createElement('span');
  line.className = 'text';
  line.textContent = shown ?? caption.text;
  caption.element.replaceChildren(who, line);
  if (translated && shown !== undefined) {
    const original = document.createElement('span');
    original.className = 'original';
    original.textContent = caption.text;
    caption.element.append(original);
  }
}

function place(caption: Caption): void {
  // In seq order, also when several speakers' finals interleave.
  const after = [...captions.values()]
    .filter((c) => c.seq > caption.seq)
    .sort((a, b) => a.seq - b.seq)[0];
  ui.captions.insertBefore(caption.element, after?.element ?? null);
}

function followLive(): void {
  if (following) window.scrollTo({ top: document.body.scrollHeight });
}

function onFrame(frame: Frame): void {
  if (typeof frame.id === 'string') lastId = frame.id;
  switch (frame.type) {
    case 'joined':
      attempt = 0;
      setStatus(frame.status === 'ended' ? 'Ended' : 'Live');
      break;
    case 'final': {
      const seq = Number(frame.seq);
      if (captions.has(seq)) return;
      const caption: Caption = {
        seq,
        speaker: text(frame.speaker),
        text: text(frame.text),
        language: text(frame.language),
        start: Number(frame.start ?? 0),
        end: Number(frame.end ?? 0),
        element: document.createElement('p'),
      };
      caption.element.dataset.seq = String(seq);
      captions.set(seq, caption);
      render(caption);
      place(caption);
      ui.interim.textContent = '';
      followLive();
      break;
    }
    case 'translation': {
      const caption = captions.get(Number(frame.seq));
      if (!caption || frame.language !== prefs.language) return;
      caption.translation = text(frame.text);
      render(caption);
      followLive();
      break;
    }
    case 'realtime': {
      const interim = text(frame.translation) || text(frame.text);
      ui.interim.textContent = interim ? `${text(frame.speaker)}: ${interim}` : '';
      break;
    }
    case 'ended':
      ended = true;
      ui.ended.hidden = false;
      ui.interim.textContent = '';
      setStatus('Ended');
      socket?.close();
      events?.close();
      break;
  }
}

function reconnectLater(): void {
  if (ended) return;
  const delay = Math.min(5000, 250 * 2 ** attempt++);
  setStatus('Reconnecting…');
  setTimeout(connect, delay);
}

function connect(): void {
  if (ended) return;
  const query = new URLSearchParams({ language: prefs.language });
  if (lastId !== '0') query.set('last_id', lastId);
  if (transport === 'sse') {
    query.set('token', token);
    events = new EventSource(`/v1/rooms/${roomId}/events?${query.toString()}`);
    events.onmessage = (event: MessageEvent<string>) => onFrame(JSON.parse(event.data) as Frame);
    // EventSource reconnects by itself with Last-Event-ID; a refusal closes it for good.
    events.onerror = () => {
      if (events?.readyState === EventSource.CLOSED) reconnectLater();
      else setStatus('Reconnecting…');
    };
    return;
  }
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  let opened = false;
  socket = new WebSocket(
    `${scheme}//${location.host}/v1/rooms/${roomId}/listen?${query.toString()}`,
    ['rt', `bearer.${token}`],
  );
  socket.onopen = () => (opened = true);
  socket.onmessage = (event: MessageEvent<string>) => onFrame(JSON.parse(event.data) as Frame);
  socket.onclose = (event) => {
    if (event.code === 4020 || ended) return;
    // A proxy that does not pass WebSockets: Server-Sent Events instead.
    if (!opened && attempt >= 2) transport = 'sse';
    reconnectLater();
  };
}

/** A new language: the transcript so far again, in that language. */
function switchLanguage(): void {
  prefs.language = ui.language.value;
  applyPrefs();
  socket?.close();
  events?.close();
  socket = undefined;
  events = undefined;
  captions = new Map();
  ui.captions.replaceChildren();
  lastId = '0';
  connect();
}

function segments(): Segment[] {
  return [...captions.values()]
    .sort((a, b) => a.seq - b.seq)
    .map((c) => ({
      seq: c.seq,
      utteranceId: String(c.seq),
      text: c.text,
      language: c.language,
      start: c.start,
      end: c.end,
      translations: c.translation !== undefined ? { [prefs.language]: c.translation } : {},
    }));
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function join(passcode?: string): Promise<boolean> {
  const code = ui.code.value.trim();
  const body = roomId ? { room: roomId, passcode } : { code, passcode };
  const res = await fetch('/v1/rooms/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await res.json()) as {
    token?: string;
    room_id?: string;
    code?: string;
    message?: string;
  };
  if (res.ok && answer.token && answer.room_id) {
    token = answer.token;
    roomId = answer.room_id;
    sessionStorage.setItem(`room.token.${roomId}`, token);
    if (!pathRoom) history.replaceState(null, '', `/room/${roomId}${location.search}`);
    return true;
  }
  ui.join.hidden = false;
  ui.codeRow.hidden = !!roomId;
  if (answer.code === 'passcode_required' || answer.code === 'wrong_passcode')
    ui.passcodeRow.hidden = false;
  ui.joinProblem.hidden = answer.code === 'passcode_required';
  ui.joinProblem.textContent = answer.message ?? `could not join (${res.status})`;
  return false;
}

function startListening(): void {
  ui.join.hidden = true;
  ui.bar.hidden = false;
  connect();
}

async function main(): Promise<void> {
  applyPrefs();
  await languageOptions();
  ui.language.onchange = switchLanguage;
  ui.smaller.onclick = () => {
    prefs.size = Math.max(14, prefs.size - 3);
    applyPrefs();
  };
  ui.bigger.onclick = () => {
    prefs.size = Math.min(72, prefs.size + 3);
    applyPrefs();
  };
  ui.theme.onclick = () => {
    prefs.theme = prefs.theme === 'dark' ? 'light' : 'dark';
    applyPrefs();
  };
  ui.txt.onclick = () =>
    download(
      'room.txt',
      segments()
        .map((s) => `${s.translations[prefs.language] ?? s.text}`.trim())
        .join('\n') + '\n',
    );
  ui.srt.onclick = () =>
    download(
      'room.srt',
      toSrt(segments(), prefs.language === 'original' ? {} : { language: prefs.language }),
    );
  window.addEventListener('scroll', () => {
    const atBottom = window.innerHeight + window.scrollY >= document.body.scrollHeight - 40;
    following = atBottom;
    ui.live.hidden = atBottom;
  });
  ui.live.onclick = () => {
    following = true;
    ui.live.hidden = true;
    followLive();
  };
  ui.join.onsubmit = (event) => {
    event.preventDefault();
    void join(ui.passcode.value || undefined).then((ok) => ok && startListening());
  };
  const saved = roomId ? sessionStorage.getItem(`room.token.${roomId}`) : null;
  if (saved) {
    token = saved;
    startListening();
    return;
  }
  if (!roomId) {
    ui.join.hidden = false;
    const code = params.get('code');
    if (code) ui.code.value = code;
    return;
  }
  if (await join(params.get('passcode') ?? undefined)) startListening();
}

void main();
