import { type FluxConfigure } from './flux-client-messages';
import {
  type FluxOptions,
  FluxOptionsError,
  hintsNeedMulti,
  keytermsProblem,
  languageHint,
} from './flux-options';

/** A session's options after a `Configure`; FluxOptionsError (answer ConfigureFailure) if invalid. */
export function applyFluxConfigure(options: FluxOptions, configure: FluxConfigure): FluxOptions {
  const next: FluxOptions = { ...options, ...configure.thresholds };
  if (configure.keyterms !== undefined) {
    const problem = keytermsProblem(configure.keyterms);
    if (problem) throw new FluxOptionsError(problem);
    next.keyterms = configure.keyterms;
  }
  if (configure.languageHints !== undefined) {
    if (options.model !== 'flux-general-multi')
      throw new FluxOptionsError(hintsNeedMulti('Configure.language_hints', options.model));
    const codes: string[] = [];
    for (const hint of configure.languageHints) {
      const read = languageHint(hint);
      if ('problem' in read) throw new FluxOptionsError(read.problem);
      if (!codes.includes(read.code)) codes.push(read.code);
    }
    next.languageHints = codes;
  }
  return next;
}
