import type { DeepgramClient, listen, ListenV2Encoding, ListenV2Model } from '@deepgram/sdk';
import { type FluxConfigure, parseFluxControl } from './flux-client-messages';
import { type FLUX_ENCODINGS, type FLUX_MODELS, type FLUX_QUERY_PARAMETERS } from './flux-options';
import {
  type FluxConfigureFailure,
  type FluxConfigureSuccess,
  type FluxConnected,
  type FluxError,
  type FluxServerMessage,
  type FluxTurnEvent,
  type FluxTurnInfo,
  type FluxWord,
} from './flux-server-messages';

/**
 * Our Flux messages against `@deepgram/sdk` v5's `listen.v2` types. Most of this is checked by
 * tsc (`npm run typecheck`), not at run time: each server message must be assignable to the
 * SDK's type (every field the SDK requires, with its type), and must have no field the SDK's
 * type lacks (a misspelt optional field would otherwise slip through).
 */
type NoExtraKeys<Ours, Theirs> = [Exclude<keyof Ours, keyof Theirs>] extends [never] ? true : never;
type Assignable<Ours, Theirs> = [Ours] extends [Theirs] ? true : never;

type SdkServerMessage =
  | listen.ListenV2Connected
  | listen.ListenV2TurnInfo
  | listen.ListenV2ConfigureSuccess
  | listen.ListenV2ConfigureFailure
  | listen.ListenV2FatalError;
/** `listen.v2.V2Client.ConnectArgs`, reached through the client (its module is not re-exported). */
type ConnectArgs = Parameters<DeepgramClient['listen']['v2']['connect']>[0];

const serverTypes: [
  Assignable<FluxConnected, listen.ListenV2Connected>,
  NoExtraKeys<FluxConnected, listen.ListenV2Connected>,
  Assignable<FluxTurnInfo, listen.ListenV2TurnInfo>,
  NoExtraKeys<FluxTurnInfo, listen.ListenV2TurnInfo>,
  Assignable<FluxWord, listen.ListenV2TurnInfo.Words.Item>,
  NoExtraKeys<FluxWord, listen.ListenV2TurnInfo.Words.Item>,
  Assignable<FluxConfigureSuccess, listen.ListenV2ConfigureSuccess>,
  NoExtraKeys<FluxConfigureSuccess, listen.ListenV2ConfigureSuccess>,
  NoExtraKeys<FluxConfigureSuccess['thresholds'], listen.ListenV2ConfigureSuccess.Thresholds>,
  Assignable<FluxConfigureFailure, listen.ListenV2ConfigureFailure>,
  NoExtraKeys<FluxConfigureFailure, listen.ListenV2ConfigureFailure>,
  Assignable<FluxError, listen.ListenV2FatalError>,
  NoExtraKeys<FluxError, listen.ListenV2FatalError>,
  // The union the SDK's socket hands to its `message` handler (V2Socket.Response).
  Assignable<FluxServerMessage, SdkServerMessage>,
] = [true, true, true, true, true, true, true, true, true, true, true, true, true, true];

/** Every event and model the SDK names, and nothing else. */
type SdkEvent = (typeof listen.ListenV2TurnInfo.Event)[keyof typeof listen.ListenV2TurnInfo.Event];
const events: [Assignable<SdkEvent, FluxTurnEvent>, Assignable<FluxTurnEvent, SdkEvent>] = [
  true,
  true,
];
type SdkModel = (typeof ListenV2Model)[keyof typeof ListenV2Model];
const models: [
  Assignable<SdkModel, (typeof FLUX_MODELS)[number]>,
  Assignable<(typeof FLUX_MODELS)[number], SdkModel>,
] = [true, true];
type SdkEncoding = (typeof ListenV2Encoding)[keyof typeof ListenV2Encoding];
const encodings: Assignable<(typeof FLUX_ENCODINGS)[number], SdkEncoding> = true;

/** Each query parameter we read is one of the SDK's connect arguments. */
const queryNames: Assignable<(typeof FLUX_QUERY_PARAMETERS)[number], keyof ConnectArgs> = true;

/** Each field of a Configure we read is one the SDK's Configure has. */
const configureFields: Assignable<
  'thresholds' | 'keyterms' | 'language_hints' | 'numerals',
  keyof listen.ListenV2Configure
> = true;

describe('Flux messages against @deepgram/sdk listen.v2 types', () => {
  it('type checks hold (tsc enforces them; this only keeps them in use)', () => {
    expect([
      ...serverTypes,
      ...events,
      ...models,
      encodings,
      queryNames,
      configureFields,
    ]).not.toContain(false);
  });

  it("parses the SDK's client messages as the SDK's socket sends them", () => {
    const configure: listen.ListenV2Configure = {
      type: 'Configure',
      thresholds: { eot_threshold: 0.8, eager_eot_threshold: 0.4, eot_timeout_ms: 2000 },
      keyterms: ['Flux'],
      language_hints: ['es'],
      numerals: false,
    };
    const forceEndTurn: listen.ListenV2ForceEndTurn = { type: 'ForceEndTurn' };
    const closeStream: listen.ListenV2CloseStream = { type: 'CloseStream' };
    expect(parseFluxControl(JSON.stringify(configure))).toEqual<FluxConfigure>({
      type: 'Configure',
      thresholds: { eotThreshold: 0.8, eagerEotThreshold: 0.4, eotTimeoutMs: 2000 },
      keyterms: ['Flux'],
      languageHints: ['es'],
      numerals: false,
    });
    expect(parseFluxControl(JSON.stringify(forceEndTurn))).toEqual({ type: 'ForceEndTurn' });
    expect(parseFluxControl(JSON.stringify(closeStream))).toEqual({ type: 'CloseStream' });
  });
});
