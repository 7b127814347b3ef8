import type { RoomFrame } from '../src/client/shared/protocol';
import type { StreamQuery } from '../src/client/shared/session-url';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/**
 * The speaker side of a live room in the web app: publish the session (with a passcode and a
 * speaker name), then show the join code, link, QR code and listeners per language, and end it.
 */
export class RoomPanel {
  private readonly ui = {
    publish: $<HTMLInputElement>('room-publish'),
    speaker: $<HTMLInputElement>('room-speaker'),
    passcode: $<HTMLInputElement>('room-passcode'),
    panel: $<HTMLElement>('room-panel'),
    qr: $<HTMLImageElement>('room-qr'),
    code: $<HTMLElement>('room-code'),
    link: $<HTMLAnchorElement>('room-link'),
    listeners: $<HTMLElement>('room-listeners'),
    end: $<HTMLButtonElement>('room-end'),
  };
  private roomId = '';
  private roomKey = '';

  constructor(private readonly problem: (message: string) => void) {
    this.ui.end.onclick = () => void this.endRoom();
  }

  /** Query fields for the next stream (publishing only when ticked). */
  query(): Pick<StreamQuery, 'room' | 'roomPasscode' | 'speaker'> {
    if (!this.ui.publish.checked) return {};
    return {
      room: 'new',
      roomPasscode: this.ui.passcode.value.trim() || undefined,
      speaker: this.ui.speaker.value.trim() || undefined,
    };
  }

  show(frame: RoomFrame): void {
    this.ui.panel.hidden = false;
    this.roomId = frame.room_id;
    if (frame.room_key) this.roomKey = frame.room_key;
    if (frame.qr_svg)
      this.ui.qr.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(frame.qr_svg)}`;
    this.ui.code.textContent = frame.code;
    this.ui.link.href = frame.join_url;
    this.ui.link.textContent = frame.join_url;
    const names = new Intl.DisplayNames([navigator.language || 'en'], { type: 'language' });
    const counts = Object.entries(frame.listeners)
      .sort((a, b) => b[1] - a[1])
      .map(
        ([language, n]) =>
          `${language === 'original' ? 'original' : (names.of(language) ?? language)}: ${n}`,
      );
    this.ui.listeners.textContent =
      frame.status === 'ended'
        ? 'Room ended'
        : counts.length > 0
          ? `Listeners — ${counts.join(', ')}`
          : 'No listeners yet';
    this.ui.end.disabled = frame.status === 'ended' || !this.roomKey;
  }

  private async endRoom(): Promise<void> {
    if (!this.roomId || !this.roomKey) return;
    const res = await fetch(`/v1/rooms/${this.roomId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${this.roomKey}` },
    });
    if (!res.ok) {
      this.problem(`the room could not be ended (${res.status})`);
      return;
    }
    this.ui.listeners.textContent = 'Room ended';
    this.ui.end.disabled = true;
  }
}
