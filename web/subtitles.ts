import { levelFraction } from '../src/client/shared/level-meter';
import { parseServerFrame } from '../src/client/shared/protocol';
import { wsUrlFromPage } from '../src/client/shared/session-url';
import { TranscriptModel } from '../src/client/shared/transcript.model';
import { AudioCapture, CaptureError } from './audio-capture';
import { type CaptionShow, CaptionView } from './caption-view';
import { pageTokenSource, promptForKey } from './credentials';
import { LiveStream } from './live-stream';

/**
 * Overlay page for OBS browser sources: transparent background, captions only. Configured by the
 * query string: source, targets, show (both|transcript|translation), device (microphone id).
 * With `room=<room id>&language=<code|original>` (and `passcode=` when the room has one) it
 * follows a live room instead of capturing audio (docs/rooms.md).
 */
const params = new URLSearchParams(location.search);
const targets = (params.get('targets') ?? '').split(',').filter((t) => t !== '');
const show = (params.get('show') ?? 'both') as CaptionShow;
const root = document.getElementById('captions') as HTMLDivElement;
const problem = document.getElementById('problem') as HTMLDivElement;
const model = new TranscriptModel();
const roomLanguage = params.get('room') ? (params.get('language') ?? '') : '';
const view = new CaptionView(
  root,
  roomLanguage === 'original' ? 'transcript' : show,
  roomLanguage && roomLanguage !== 'original' ? roomLanguage : (targets[0] ?? ''),
  Number(params.get('width') ?? 42),
);

function showProblem(message?: string): void {
  problem.hidden = !message;
  problem.textContent = message ?? '';
}

/** Follows a live room over Server-Sent Events (EventSource resumes by itself). */
async function followRoom(roomId: string): Promise<void> {
  const language = params.get('language') ?? 'original';
  const res = await fetch('/v1/rooms/join', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ room: roomId, passcode: params.get('passcode') ?? undefined }),
  });
  const answer = (await res.json()) as { token?: string; message?: string };
  if (!res.ok || !answer.token) {
    showProblem(answer.message ?? `could not join the room (${res.status})`);
    return;
  }
  const query = new URLSearchParams({ language, token: answer.token });
  const events = new EventSource(`/v1/rooms/${roomId}/events?${query.toString()}`);
  events.onopen = () => (document.body.dataset.state = 'live');
  events.onmessage = (event: MessageEvent<string>) => {
    const data = JSON.parse(event.data) as { type?: string };
    if (data.type === 'ended') {
      events.close();
      document.body.dataset.state = 'closed';
      return;
    }
    const parsed = parseServerFrame(event.data);
    if (!parsed.ok) return;
    const frame = parsed.frame;
    if (frame.type === 'realtime') model.applyRealtime(frame, '');
    else model.apply(frame);
    view.render(model);
  };
}

async function main(): Promise<void> {
  const roomId = params.get('room');
  if (roomId) return followRoom(roomId);
  const stream = new LiveStream(
    wsUrlFromPage(location.href),
    {
      source: params.get('source') ?? 'auto',
      targets,
      interimTranslations: targets.length > 0,
    },
    {
      state: (state) => {
        document.body.dataset.state = state;
        if (state === 'live') showProblem(undefined);
      },
      problem: showProblem,
      frame: (frame) => {
        if (frame.type === 'realtime') {
          model.applyRealtime(frame, frame.translation);
        } else {
          model.apply(frame);
        }
        view.render(model);
      },
    },
    // No credential in the overlay's URL: a token per connect (see web/credentials.ts).
    pageTokenSource(promptForKey),
  );
  const capture = new AudioCapture();
  try {
    await capture.start(
      { kind: 'mic', deviceId: params.get('device') ?? undefined },
      {
        audio: (pcm) => stream.sendAudio(pcm),
        level: (db) => (document.body.dataset.level = levelFraction(db).toFixed(2)),
        ended: () => void stream.stop(),
      },
    );
  } catch (error) {
    showProblem(error instanceof CaptureError ? error.message : String(error));
    return;
  }
  stream.start();
  setInterval(() => view.render(model), 500);
}

void main();
