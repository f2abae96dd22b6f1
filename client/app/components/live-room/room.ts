import { runMutation } from '../../lib/graphql.ts';
import { mutationDocument } from '../../lib/operations.ts';
import type { Person, RoomSettings } from './room-documents.ts';
import type { RoomStore } from './room-store.ts';

/** The state and actions that every panel of the live room shares. */
export interface Room {
  /** The session's settings and the viewer's rights, from the page's query. */
  settings: RoomSettings;
  store: RoomStore;
  viewerId: () => string | undefined;
  /** Reloads `settings`, after a change that events do not carry, such as the viewer's mute. */
  refreshSettings: () => void;
  announce: (message: string) => void;
  /** Moves focus to the page's status line, after a control that ended the room disappears. */
  focusStatus: () => void;
}

/** Reports whether the room is open: the session is scheduled or live. */
export function isRoomOpen(settings: RoomSettings): boolean {
  return settings.status === 'SCHEDULED' || settings.status === 'LIVE';
}

/** Reports whether a moderator may mute `person`: anyone but the viewer and the host. */
export function canMute(room: Room, person: Person): boolean {
  return (
    room.settings.viewerCanModerate &&
    person.id !== room.viewerId() &&
    person.id !== room.settings.host?.id
  );
}

/** Mutes or unmutes someone, and updates the muted list at once; the event confirms it. */
export async function setMuted(room: Room, person: Person, muted: boolean): Promise<string> {
  const outcome = await runMutation(
    mutationDocument('setParticipantMuted', 'SetParticipantMutedInput', 'id'),
    'setParticipantMuted',
    { liveSessionId: room.settings.id, userId: person.id, muted },
  );
  if (outcome.message) {
    return outcome.message;
  }
  room.store.setMuted(person, muted);
  if (muted) {
    room.store.setHand(person, false, room.viewerId());
  }
  return '';
}

/** Lowers someone's raised hand, or the viewer's own when `person` is the viewer. */
export async function lowerHand(room: Room, person: Person): Promise<string> {
  const outcome = await runMutation(
    mutationDocument('lowerHand', 'LowerHandInput', 'id'),
    'lowerHand',
    { liveSessionId: room.settings.id, userId: person.id },
  );
  if (outcome.message) {
    return outcome.message;
  }
  room.store.setHand(person, false, room.viewerId());
  return '';
}
