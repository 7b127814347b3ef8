/**
 * How the web app and the overlay authenticate without ever putting a credential in a URL:
 * before each connect they obtain a short-lived session token from POST /v1/tokens and offer it
 * as a `bearer.<token>` subprotocol. The token endpoint is asked
 *  1. with no key first: an operator can put it behind their own login (a proxy that adds
 *     `Authorization: Bearer <key>` for signed-in users), then
 *  2. with an API key typed once by the person and kept in sessionStorage (this tab only; never
 *     in the URL, history or a proxy's log).
 * Without AUTH_REQUIRED and without a stored key the page connects anonymously.
 */
const KEY_STORAGE = 'rt.apiKey';

export class CredentialError extends Error {}

export interface TokenSource {
  /** A fresh token for one connect, or undefined to connect without a credential. */
  token(): Promise<string | undefined>;
}

interface AuthInfo {
  auth_required: boolean;
  tokens: boolean;
}

function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeKey(key: string | undefined): void {
  try {
    if (key) sessionStorage.setItem(KEY_STORAGE, key);
    else sessionStorage.removeItem(KEY_STORAGE);
  } catch {
    // Storage disabled: the key is asked for again next time.
  }
}

/** The token, or null when the credential (or its absence) was refused. */
async function requestToken(key: string | undefined): Promise<string | null> {
  const response = await fetch('/v1/tokens', {
    method: 'POST',
    headers: key ? { authorization: `Bearer ${key}` } : {},
    credentials: 'same-origin',
    cache: 'no-store',
  });
  if (response.status === 401 || response.status === 403) return null;
  if (!response.ok) throw new CredentialError(`the token service answered ${response.status}`);
  const body = (await response.json()) as { token?: unknown };
  if (typeof body.token !== 'string') throw new CredentialError('the token service sent no token');
  return body.token;
}

/**
 * Tokens from this page's origin. `askKey` asks the person for an API key (undefined: they
 * declined); it is called only when the server needs a credential and none works yet.
 */
export function pageTokenSource(askKey: (retry: boolean) => string | undefined): TokenSource {
  let info: AuthInfo | undefined;
  return {
    async token(): Promise<string | undefined> {
      info ??= (await (await fetch('/v1/tokens', { cache: 'no-store' })).json()) as AuthInfo;
      let key = storedKey();
      if (!info.auth_required && !key) return undefined;
      if (!info.tokens) {
        throw new CredentialError('this server needs a credential but issues no tokens');
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const token = await requestToken(key);
        if (token !== null) return token;
        if (key) storeKey(undefined);
        key = askKey(key !== undefined)?.trim();
        if (!key) throw new CredentialError('an API key is needed to connect');
        storeKey(key);
      }
      throw new CredentialError('the API key was refused');
    },
  };
}

/** The prompt both pages use. */
export function promptForKey(retry: boolean): string | undefined {
  const text =
    (retry ? 'That API key was refused. ' : 'This server needs an API key. ') +
    'It stays in this tab only and is exchanged for short-lived tokens.';
  return window.prompt(text) ?? undefined;
}
