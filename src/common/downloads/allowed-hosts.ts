/**
 * Which hosts a model download may be redirected to. Hugging Face answers a file request on
 * huggingface.co with a redirect to its storage (cdn-lfs*.huggingface.co, cas-bridge.xethub.hf.co),
 * so its own domains are allowed; a mirror the user names is trusted for its own host only.
 */
const HUGGING_FACE_HOSTS = ['huggingface.co', '.huggingface.co', '.hf.co'];

export function allowedHostsFor(baseUrl: string): string[] {
  const host = new URL(baseUrl).hostname;
  return HUGGING_FACE_HOSTS.some((pattern) => hostMatches(host, pattern))
    ? HUGGING_FACE_HOSTS
    : [host];
}

/** `example.org` matches only itself; `.example.org` matches its subdomains. */
export function hostMatches(host: string, pattern: string): boolean {
  const name = host.toLowerCase();
  return pattern.startsWith('.') ? name.endsWith(pattern) : name === pattern;
}
