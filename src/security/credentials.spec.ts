import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { trustedProxyList } from '../common/config/security-config';
import { clientIp, presentedCredential, selectProtocol } from './credentials';

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

  it("reads Deepgram's credentials: Authorization: Token and a `token, <key>` subprotocol pair", () => {
    expect(presentedCredential(request('/v1/listen', { authorization: 'Token rtk_a' }))).toEqual({
      value: 'rtk_a',
      source: 'authorization',
    });
    expect(
      presentedCredential(request('/v1/listen', { 'sec-websocket-protocol': 'token, rtk_a' })),
    ).toEqual({ value: 'rtk_a', source: 'protocol' });
    expect(
      presentedCredential(request('/v1/listen', { 'sec-websocket-protocol': 'bearer, a.b.c' })),
    ).toEqual({ value: 'a.b.c', source: 'protocol' });
    expect(presentedCredential(request('/', { 'sec-websocket-protocol': 'rt' }))).toBeUndefined();
  });

  it("reads OpenAI's browser Realtime credential: an openai-insecure-api-key.<key> subprotocol", () => {
    const headers = {
      'sec-websocket-protocol': 'realtime, openai-insecure-api-key.rtk_a, openai-beta.realtime-v1',
    };
    expect(presentedCredential(request('/v1/realtime?intent=transcription', headers))).toEqual({
      value: 'rtk_a',
      source: 'protocol',
    });
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
    expect(selectProtocol(new Set(['token', 'rtk_secret']))).toBe('token');
    expect(selectProtocol(new Set(['rt', 'token', 'rtk_secret']))).toBe('rt');
    expect(selectProtocol(new Set(['openai-insecure-api-key.rtk_secret', 'realtime']))).toBe(
      'realtime',
    );
    expect(selectProtocol(new Set(['openai-insecure-api-key.rtk_secret']))).toBe(false);
  });
});

describe('clientIp behind TRUSTED_PROXIES', () => {
  function from(peer: string, forwarded?: string): IncomingMessage {
    const socket = new Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: peer });
    const message = new IncomingMessage(socket);
    message.headers = forwarded === undefined ? {} : { 'x-forwarded-for': forwarded };
    return message;
  }
  const trusted = trustedProxyList(['10.0.0.0/8', '::1']);

  it('believes X-Forwarded-For only from a trusted peer', () => {
    expect(clientIp(from('203.0.113.9', '198.51.100.1'), trusted)).toBe('203.0.113.9');
    expect(clientIp(from('10.0.0.5', '198.51.100.1'), trusted)).toBe('198.51.100.1');
    expect(clientIp(from('::ffff:10.0.0.5', '198.51.100.1'), trusted)).toBe('198.51.100.1');
    expect(clientIp(from('10.0.0.5', '198.51.100.1'))).toBe('10.0.0.5');
  });

  it('takes the rightmost untrusted hop: what the client wrote further left is ignored', () => {
    expect(clientIp(from('10.0.0.5', '1.1.1.1, 198.51.100.1, 10.0.0.7'), trusted)).toBe(
      '198.51.100.1',
    );
    expect(clientIp(from('10.0.0.5', 'not-an-ip, 10.0.0.7'), trusted)).toBe('10.0.0.7');
    expect(clientIp(from('10.0.0.5'), trusted)).toBe('10.0.0.5');
  });
});
