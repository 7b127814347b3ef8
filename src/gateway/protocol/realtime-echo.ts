import { type InterimFrame, type ServerFrame } from '../../contracts/stream-frames';

/** Finals remembered for the translations that follow them. */
const REMEMBERED = 64;

/**
 * The seed's minimal client reads only `realtime` frames. For it, every delivered final and final
 * translation is echoed as a `realtime` frame marked `final: true` (the final's text, and its
 * translation once there is one). Clients that read `final`/`translation` frames turn this off
 * with `realtime_finals=false` (or `interim_results=false`: such a client reads finals).
 */
export class RealtimeEcho {
  private readonly finals = new Map<string, string>();

  after(frame: ServerFrame): InterimFrame | undefined {
    if (frame.type === 'final') {
      if (frame.text === '') return undefined;
      this.finals.set(frame.utterance_id, frame.text);
      while (this.finals.size > REMEMBERED) this.finals.delete(this.finals.keys().next().value!);
      return this.echo(frame.utterance_id, frame.text, '', frame.language);
    }
    if (frame.type === 'translation') {
      const text = this.finals.get(frame.utterance_id);
      if (text === undefined) return undefined;
      return this.echo(frame.utterance_id, text, frame.text, frame.language);
    }
    return undefined;
  }

  private echo(
    utteranceId: string,
    text: string,
    translation: string,
    language: string,
  ): InterimFrame {
    return {
      type: 'realtime',
      utterance_id: utteranceId,
      text,
      translation,
      language,
      final: true,
    };
  }
}
