import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { presentedCredential, selectProtocol } from './credentials';

function request(url: string, headers: Record<string, string> = {}): IncomingMessage {
  const message = new IncomingMessage(new Socket());
  message.url = url;
  message.headers = headers;
  return message;
}

describe('presentedCredential', () => {
  it('reads Authorization: Bearer, a bearer.<token> subprotocol or ?token=', () => {
    expect(presentedCredential(request('/', { authorization: 'Bearer abc' }))).toEqual({
      value: 'abc',
      source: 'authorization',
    });
    expect(
      presentedCredential(request('/', { 'sec-websocket-protocol': 'rt, bearer.a.b.c' })),
    ).toEqual({ value: 'a.b.c', source: 'protocol' });
    expect(presentedCredential(request('/v1/listen?source=en&token=xyz'))).toEqual({
      value: 'xyz',
      source: 'query',
    });
    expect(presentedCredential(request('/'))).toBeUndefined();
  });

  it('refuses two different credentials, empty and non-Bearer ones', () => {
    expect(presentedCredential(request('/?token=a', { authorization: 'Bearer b' }))).toBe(
      'conflict',
    );
    expect(presentedCredential(request('/?token=a', { authorization: 'Bearer a' }))).toEqual({
      value: 'a',
      source: 'authorization',
    });
    expect(presentedCredential(request('/?token='))).toBe('malformed');
    expect(presentedCredential(request('/', { authorization: 'Basic eDp5' }))).toBe('malformed');
  });
});

describe('selectProtocol', () => {
  it('answers the first non-credential subprotocol and never a token', () => {
    expect(selectProtocol(new Set(['bearer.x.y.z', 'rt']))).toBe('rt');
    expect(selectProtocol(new Set(['bearer.x.y.z']))).toBe(false);
  });
});
