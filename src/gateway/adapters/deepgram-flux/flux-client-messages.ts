import { firstMessage, jsonText, z } from '../../../common/validation/schema-parse';
import {
  eagerEotThresholdSchema,
  eotThresholdSchema,
  eotTimeoutMsSchema,
  type FluxThresholds,
} from './flux-options';

/**
 * The control messages a Flux client sends as text frames (binary frames are audio):
 * `Configure` (thresholds, keyterms, language hints mid-stream), `ForceEndTurn`, `CloseStream`.
 */
export interface FluxConfigure {
  type: 'Configure';
  /** Only the thresholds sent; the others keep their current values. */
  thresholds: Partial<FluxThresholds>;
  /** Replaces the keyterms when present. */
  keyterms?: string[];
  /** Replaces the language hints when present (raw; applyFluxConfigure checks them). */
  languageHints?: string[];
  numerals?: boolean;
}

export type FluxControl = { type: 'CloseStream' } | { type: 'ForceEndTurn' } | FluxConfigure;

/**
 * `UNPARSABLE_CLIENT_MESSAGE` (Deepgram's code) is answered with an `Error` message; an invalid
 * `Configure` with `ConfigureFailure`, the session going on with its settings.
 */
export type FluxControlErrorCode = 'UNPARSABLE_CLIENT_MESSAGE' | 'INVALID_CONFIGURE';

export class FluxControlError extends Error {
  constructor(
    message: string,
    readonly code: FluxControlErrorCode,
  ) {
    super(message);
  }
}

const CONTROLS = ['Configure', 'ForceEndTurn', 'CloseStream'] as const;

const unknownControl = (type: unknown): string =>
  `unknown message type ${JSON.stringify(type)}: use ${CONTROLS.join(', ')}`;

const envelopeSchema = jsonText(
  'text frames must be JSON: {"type": "Configure" | "ForceEndTurn" | "CloseStream", ...}',
).pipe(
  z.looseObject(
    { type: z.enum(CONTROLS, { error: (issue) => unknownControl(issue.input) }) },
    { error: () => unknownControl(undefined) },
  ),
);

const configureSchema = z
  .object({
    thresholds: z
      .object(
        {
          eot_threshold: eotThresholdSchema.optional(),
          eager_eot_threshold: eagerEotThresholdSchema.optional(),
          eot_timeout_ms: eotTimeoutMsSchema.optional(),
        },
        { error: 'Configure.thresholds must be an object' },
      )
      .optional(),
    keyterms: z
      .union([z.string(), z.array(z.string())], {
        error: 'Configure.keyterms must be a string or an array of strings',
      })
      .optional(),
    language_hints: z
      .array(z.string(), { error: 'Configure.language_hints must be an array of strings' })
      .optional(),
    numerals: z.boolean({ error: 'Configure.numerals must be true or false' }).optional(),
  })
  .transform((message): FluxConfigure => {
    const thresholds: Partial<FluxThresholds> = {};
    if (message.thresholds?.eot_threshold !== undefined) {
      thresholds.eotThreshold = message.thresholds.eot_threshold;
    }
    if (message.thresholds?.eager_eot_threshold !== undefined) {
      thresholds.eagerEotThreshold = message.thresholds.eager_eot_threshold;
    }
    if (message.thresholds?.eot_timeout_ms !== undefined) {
      thresholds.eotTimeoutMs = message.thresholds.eot_timeout_ms;
    }
    const configure: FluxConfigure = { type: 'Configure', thresholds };
    if (message.keyterms !== undefined) {
      configure.keyterms = (
        typeof message.keyterms === 'string' ? [message.keyterms] : message.keyterms
      )
        .map((term) => term.trim())
        .filter((term) => term !== '');
    }
    if (message.language_hints !== undefined) configure.languageHints = message.language_hints;
    if (message.numerals !== undefined) configure.numerals = message.numerals;
    return configure;
  });

export function parseFluxControl(text: string): FluxControl {
  const envelope = envelopeSchema.safeParse(text);
  if (!envelope.success) {
    throw new FluxControlError(firstMessage(envelope.error), 'UNPARSABLE_CLIENT_MESSAGE');
  }
  const { type } = envelope.data;
  if (type !== 'Configure') return { type };
  const configure = configureSchema.safeParse(envelope.data);
  if (configure.success) return configure.data;
  throw new FluxControlError(firstMessage(configure.error), 'INVALID_CONFIGURE');
}
