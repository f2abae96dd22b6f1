/** GraphQL documents of the live room and the shapes of their results. */

export const PERSON_FIELDS = 'id displayName';
export const CHAT_FIELDS = `id sequence body createdAt editedAt deletedAt deletedByModerator viewerCanEdit
  author { ${PERSON_FIELDS} }`;
export const QUESTION_FIELDS = `id body status voteCount viewerHasVoted createdAt resolvedAt
  author { ${PERSON_FIELDS} }`;

/** Chat messages per page: the latest page loads with the room, earlier ones on request. */
export const CHAT_PAGE_SIZE = 50;
/** Questions per page, most votes first. */
export const QUESTION_PAGE_SIZE = 50;
/** People listed as present; the count covers everyone. */
export const PRESENT_LIST_SIZE = 100;

const CHAT_PAGE = `pageInfo { hasPreviousPage startCursor } nodes { ${CHAT_FIELDS} }`;
const QUESTION_PAGE = `pageInfo { hasNextPage endCursor } nodes { ${QUESTION_FIELDS} }`;
const PRESENCE = `presentCount presentParticipants(first: ${PRESENT_LIST_SIZE}) { nodes { ${PERSON_FIELDS} } }`;

export const ROOM_CONTENT = `query LiveRoomContent($id: ID!) { liveSession(id: $id) {
  id viewerHandRaised ${PRESENCE}
  chatMessages(last: ${CHAT_PAGE_SIZE}) { ${CHAT_PAGE} }
  questions(first: ${QUESTION_PAGE_SIZE}, orderBy: VOTES) { ${QUESTION_PAGE} }
  raisedHands { raisedAt user { ${PERSON_FIELDS} } }
  mutedParticipants { ${PERSON_FIELDS} } } }`;

export const EARLIER_CHAT = `query LiveRoomEarlierChat($id: ID!, $before: String!) {
  liveSession(id: $id) { id chatMessages(last: ${CHAT_PAGE_SIZE}, before: $before) { ${CHAT_PAGE} } } }`;

export const MORE_QUESTIONS = `query LiveRoomMoreQuestions($id: ID!, $after: String!) {
  liveSession(id: $id) { id questions(first: ${QUESTION_PAGE_SIZE}, after: $after, orderBy: VOTES) { ${QUESTION_PAGE} } } }`;

export const ROOM_PRESENCE = `query LiveRoomPresence($id: ID!) { liveSession(id: $id) { id ${PRESENCE} } }`;

export const ROOM_EVENTS = `subscription LiveRoomEvents($id: ID!, $after: String) {
  liveSessionEvents(liveSessionId: $id, after: $after) {
    eventId type
    liveSession { id status slowModeSeconds }
    chatMessage { ${CHAT_FIELDS} }
    question { ${QUESTION_FIELDS} }
    participant { ${PERSON_FIELDS} } } }`;

export const ROOM_SIGNALS = `subscription LiveRoomSignals($id: ID!) {
  liveRoomSignals(liveSessionId: $id) { type userId displayName emoji present presentCount } }`;

export interface Person {
  id: string;
  displayName: string;
}

export interface ChatMessage {
  id: string;
  sequence: number;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  deletedByModerator: boolean;
  viewerCanEdit: boolean;
  author: Person | null;
}

export type QuestionStatus = 'OPEN' | 'ANSWERED' | 'DISMISSED';

export interface Question {
  id: string;
  body: string;
  status: QuestionStatus;
  voteCount: number;
  viewerHasVoted: boolean;
  createdAt: string;
  resolvedAt: string | null;
  author: Person | null;
}

export interface RaisedHand {
  raisedAt: string;
  user: Person;
}

export interface ChatPage {
  pageInfo: { hasPreviousPage: boolean; startCursor: string | null };
  nodes: ChatMessage[];
}

export interface QuestionPage {
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  nodes: Question[];
}

export interface PresenceData {
  presentCount: number;
  presentParticipants: { nodes: Person[] };
}

export interface RoomContentData {
  liveSession:
    | (PresenceData & {
        id: string;
        viewerHandRaised: boolean;
        chatMessages: ChatPage;
        questions: QuestionPage;
        raisedHands: RaisedHand[];
        mutedParticipants: Person[];
      })
    | null;
}

export type LiveSessionEventType =
  | 'CHAT_MESSAGE'
  | 'CHAT_MESSAGE_EDITED'
  | 'CHAT_MESSAGE_DELETED'
  | 'QUESTION_ASKED'
  | 'QUESTION_UPDATED'
  | 'HAND_RAISED'
  | 'HAND_LOWERED'
  | 'PARTICIPANT_MUTED'
  | 'PARTICIPANT_UNMUTED'
  | 'STATUS_CHANGED'
  | 'UPDATED';

export interface RoomEvent {
  eventId: string;
  type: LiveSessionEventType;
  liveSession: { id: string; status: string; slowModeSeconds: number };
  chatMessage: ChatMessage | null;
  question: Question | null;
  participant: Person | null;
}

export interface RoomSignal {
  type: 'TYPING' | 'REACTION' | 'PRESENCE';
  userId: string;
  displayName: string;
  emoji: string | null;
  present: boolean | null;
  presentCount: number | null;
}

/**
 * The fields of the live session that the room reads from the page's query. The page reloads
 * them when the status, slow mode or the viewer's mute changes.
 */
export interface RoomSettings {
  id: string;
  status: string;
  host: Person | null;
  viewerCanManage: boolean;
  viewerCanModerate: boolean;
  viewerCanChat: boolean;
  viewerIsMuted: boolean;
  slowModeSeconds: number;
  viewerNextChatAt: string | null;
  chatMessageMaxLength: number;
  questionMaxLength: number;
  reactionEmojis: string[];
  typingIntervalSeconds: number;
  eventCursor: string;
}

/** The room's fields for the page's query, matching `RoomSettings`. */
export const ROOM_SETTINGS_FIELDS = `host { ${PERSON_FIELDS} } viewerCanManage viewerCanModerate viewerCanChat
  viewerIsMuted slowModeSeconds viewerNextChatAt chatMessageMaxLength questionMaxLength reactionEmojis
  typingIntervalSeconds eventCursor`;
