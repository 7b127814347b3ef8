import { ORIGINAL, type RoomBroadcast } from './room-frames';

/** The room options that decide what its listeners receive. */
export interface ListenerRules {
  /** Listeners see interim captions (the room's `interims` option). */
  interims: boolean;
}

/**
 * One frame on its way to a room's listeners (stored or interim alike), serialized once per form
 * rather than once per listener. What a listener reading a language receives of it, if anything,
 * is decided here and nowhere else.
 */
export class OutgoingFrame {
  private readonly texts = new Map<string, string>();
  /** Stream id of a stored frame (the listener's resume position, SSE `id:`); none for interims. */
  readonly id: string | undefined;
  /** The room's `ended` entry: listeners are closed after it. */
  readonly ends: boolean;

  constructor(private readonly item: RoomBroadcast) {
    this.id = 'id' in item ? item.id : undefined;
    this.ends = this.id !== undefined && item.frame.type === 'ended';
  }

  /** The bytes a listener reading `language` gets, or undefined when the frame is not for it. */
  textFor(language: string, rules: ListenerRules): string | undefined {
    const form = this.formFor(language, rules);
    if (form === undefined) return undefined;
    let text = this.texts.get(form);
    if (text === undefined) {
      text = this.serialize(form);
      this.texts.set(form, text);
    }
    return text;
  }

  /**
   * Finals and the end go to everyone, translations to their language; interims (when the room
   * shows them) to everyone, with the translation into the listener's language where there is one.
   * '' is the form everyone shares; an interim with a translation has one form per language.
   */
  private formFor(language: string, rules: ListenerRules): string | undefined {
    const frame = this.item.frame;
    switch (frame.type) {
      case 'realtime':
        if (!rules.interims) return undefined;
        return language !== ORIGINAL && frame.translations?.[language] !== undefined
          ? language
          : '';
      case 'translation':
        return frame.language === language ? '' : undefined;
      default:
        return '';
    }
  }

  private serialize(form: string): string {
    const item = this.item;
    if ('id' in item) return JSON.stringify({ ...item.frame, id: item.id, seq: item.seq });
    const { translations, ...interim } = item.frame;
    return JSON.stringify(form === '' ? interim : { ...interim, translation: translations![form] });
  }
}
