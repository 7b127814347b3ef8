import { createHmac } from 'node:crypto';
import { JwtCodec, looksLikeJwt, TokenError, unverifiedSubject } from './jwt';

const OLD = { kid: 'old', secret: 'o'.repeat(32) };
const NEW = { kid: 'new', secret: 'n'.repeat(32) };
const codec = new JwtCodec([NEW, OLD], 'iss-a', 'aud-a');

async function reason(run: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await run();
    return undefined;
  } catch (error) {
    return error instanceof TokenError ? error.reason : `other: ${String(error)}`;
  }
}

function forge(header: object, payload: object, secret: string): string {
  const b = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b(header)}.${b(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe('JwtCodec', () => {
  const now = Date.UTC(2026, 0, 1);

  it('issues a token it verifies, signed with the first key and naming it in the header', async () => {
    const { token, claims } = await codec.issue('key_1', 'stream', 60, now);
    expect(looksLikeJwt(token)).toBe(true);
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()) as object;
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'new' });
    expect(await codec.verify(token, now + 59_000)).toEqual(claims);
    expect(claims).toMatchObject({
      iss: 'iss-a',
      aud: 'aud-a',
      sub: 'key_1',
      exp: now / 1000 + 60,
    });
    expect(unverifiedSubject(token)).toBe('key_1');
  });

  it('still verifies tokens of a rotated-out key that is listed, not of a removed one', async () => {
    const oldCodec = new JwtCodec([OLD], 'iss-a', 'aud-a');
    const { token } = await oldCodec.issue('key_1', 'stream', 60, now);
    expect((await codec.verify(token, now)).sub).toBe('key_1');
    expect(await reason(async () => new JwtCodec([NEW], 'iss-a', 'aud-a').verify(token, now))).toBe(
      'unknown_kid',
    );
  });

  it('rejects expired, forged, foreign-audience and foreign-issuer tokens', async () => {
    const { token } = await codec.issue('key_1', 'stream', 60, now);
    expect(await reason(async () => codec.verify(token, now + 66_000))).toBe('expired');
    const [h, p, s] = token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub: 'admin' })).toString('base64url')}.${s}`;
    expect(await reason(async () => codec.verify(tampered, now))).toBe('bad_signature');
    expect(await reason(async () => codec.verify(`${h}.${p}.${'A'.repeat(43)}`, now))).toBe(
      'bad_signature',
    );
    expect(await reason(async () => new JwtCodec([NEW], 'iss-a', 'aud-b').verify(token, now))).toBe(
      'wrong_audience',
    );
    expect(await reason(async () => new JwtCodec([NEW], 'iss-b', 'aud-a').verify(token, now))).toBe(
      'wrong_issuer',
    );
  });

  it('accepts only HS256: alg none and other algorithms are refused', async () => {
    const claims = { iss: 'iss-a', aud: 'aud-a', sub: 'k', exp: now / 1000 + 60, jti: 'j' };
    expect(
      await reason(async () =>
        codec.verify(forge({ alg: 'HS512', kid: 'new' }, claims, NEW.secret), now),
      ),
    ).toBe('malformed');
    const none = `${Buffer.from('{"alg":"none","kid":"new"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
    expect(await reason(async () => codec.verify(none, now))).toBe('malformed');
    expect(
      (await codec.verify(forge({ alg: 'HS256', kid: 'new' }, claims, NEW.secret), now)).sub,
    ).toBe('k');
    expect(
      await reason(async () =>
        codec.verify(
          forge({ alg: 'HS256', kid: 'new' }, { ...claims, nbf: now / 1000 + 100 }, NEW.secret),
          now,
        ),
      ),
    ).toBe('not_yet_valid');
    expect(
      await reason(async () =>
        codec.verify(
          forge({ alg: 'HS256', kid: 'new' }, { ...claims, exp: undefined }, NEW.secret),
          now,
        ),
      ),
    ).toBe('expired');
  });

  it.each(['', 'abc', 'a.b', 'a.b.c', '..', `${'a'.repeat(5000)}.b.c`, 'rtk_abc'])(
    'rejects garbage %#',
    async (token) => {
      expect(await reason(async () => codec.verify(token, now))).toBe('malformed');
    },
  );

  it('cannot sign without a key', async () => {
    await expect(new JwtCodec([], 'i', 'a').issue('k', 's', 60)).rejects.toThrow(/no signing key/);
  });
});
