import { ResumeTracker, roomConfigFrame, streamUrl, wsUrlFromPage } from './session-url';

describe('roomConfigFrame', () => {
  it('carries a room request with a key or passcode; the URL then holds no room field', () => {
    const withKey = { room: 'r_x', roomKey: 'rsk_secret', speaker: 'Ben' };
    expect(JSON.parse(roomConfigFrame(withKey)!)).toEqual({
      type: 'config',
      room: { id: 'r_x', key: 'rsk_secret', speaker: 'Ben' },
    });
    const url = streamUrl('ws://h:1', withKey);
    expect(url).not.toContain('rsk_secret');
    expect(new URL(url).searchParams.has('room')).toBe(false);
    const withPasscode = { room: 'new', roomPasscode: '482913' };
    expect(JSON.parse(roomConfigFrame(withPasscode)!).room).toEqual({
      create: true,
      passcode: '482913',
    });
    expect(streamUrl('ws://h:1', withPasscode)).not.toContain('482913');
    expect(roomConfigFrame({ room: 'new', speaker: 'Ana' })).toBeUndefined();
    expect(new URL(streamUrl('ws://h:1', { room: 'new' })).searchParams.get('room')).toBe('new');
  });
});

describe('streamUrl', () => {
  it('puts the configuration and the resume point in the query string', () => {
    const url = new URL(
      streamUrl(
        'ws://localhost:5026/v1/stream',
        { source: 'en', targets: ['es', 'de'], sampleRate: 16000, interim: true },
        { resumeToken: 'tok', lastSeq: 3, lastId: '17-0' },
      ),
    );
    expect(url.pathname).toBe('/v1/stream');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      source: 'en',
      targets: 'es,de',
      sample_rate: '16000',
      interim_results: 'true',
      realtime_finals: 'false',
      resume: 'tok',
      last_seq: '3',
      last_id: '17-0',
    });
  });

  it('leaves empty options out, and always turns the realtime echo of finals off', () => {
    expect(streamUrl('ws://h:1/v1/stream', { targets: [] })).toBe(
      'ws://h:1/v1/stream?realtime_finals=false',
    );
  });

  it('streams on /v1/stream when the base has no path', () => {
    expect(new URL(streamUrl('ws://h:1', {})).pathname).toBe('/v1/stream');
    expect(new URL(streamUrl('ws://h:1/', {})).pathname).toBe('/v1/stream');
    expect(new URL(streamUrl('ws://h:1/v1/listen', {})).pathname).toBe('/v1/listen');
  });

  it('derives the socket URL from the page URL', () => {
    expect(wsUrlFromPage('http://h:5026/?x=1')).toBe('ws://h:5026/v1/stream');
    expect(wsUrlFromPage('https://h/subtitles')).toBe('wss://h/v1/stream');
  });
});

describe('ResumeTracker', () => {
  it('tracks the last final and drops duplicates after a resume', () => {
    const t = new ResumeTracker();
    expect(t.resumePoint()).toBeUndefined();
    expect(t.onSession('s1', 'tok1')).toEqual({ resumed: false });
    expect(t.onFinal(1)).toBe(true);
    expect(t.onFinal(2, '5-0')).toBe(true);
    expect(t.resumePoint()).toEqual({ resumeToken: 'tok1', lastSeq: 2, lastId: '5-0' });
    t.onReplayable('6-0');
    expect(t.onSession('s1', 'tok2')).toEqual({ resumed: true });
    expect(t.onFinal(2, '5-0')).toBe(false);
    expect(t.resumePoint()?.lastId).toBe('6-0');
    expect(t.onFinal(3)).toBe(true);
    expect(t.resumePoint()).toEqual({ resumeToken: 'tok2', lastSeq: 3, lastId: '6-0' });
  });

  it('starts counting again on a new session', () => {
    const t = new ResumeTracker();
    t.onSession('s1', 'a');
    t.onFinal(5);
    expect(t.onSession('s2', 'b')).toEqual({ resumed: false });
    expect(t.lastSeq).toBe(0);
    expect(t.onFinal(1)).toBe(true);
  });
});
