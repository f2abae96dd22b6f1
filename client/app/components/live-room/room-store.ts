import { batch } from 'solid-js';
import { createStore, produce, reconcile } from 'solid-js/store';
import type {
  ChatMessage,
  ChatPage,
  Person,
  PresenceData,
  Question,
  QuestionPage,
  RoomContentData,
} from './room-documents.ts';

export interface RoomContent {
  /** Chat messages in sequence order. */
  messages: ChatMessage[];
  /** Cursor for the page before the first message shown; null when the history is complete. */
  earlierCursor: string | null;
  questions: Question[];
  /** Cursor for the next page of questions; null when all are loaded. */
  moreQuestionsCursor: string | null;
  /** The raise-hand queue, oldest first. */
  hands: { raisedAt: string; user: Person }[];
  viewerHandRaised: boolean;
  /** People muted in the session; empty unless the viewer moderates. */
  muted: Person[];
  presentCount: number;
  present: Person[];
}

/** Returns the index at which a message of `sequence` goes in a list sorted by sequence. */
function insertionIndex(messages: ChatMessage[], sequence: number): number {
  let index = messages.length;
  // New messages nearly always go last, so the search starts from the end.
  while (index > 0 && (messages[index - 1]?.sequence ?? 0) > sequence) {
    index -= 1;
  }
  return index;
}

function byName(left: Person, right: Person): number {
  return left.displayName.localeCompare(right.displayName);
}

/**
 * Creates the store of a live room's content, and the changes that events, signals and the
 * viewer's own mutations make to it. Every change is an upsert or a removal by id, so applying
 * the same change twice, or a change the loaded content already contains, changes nothing.
 */
export function createRoomStore() {
  const [content, setContent] = createStore<RoomContent>({
    messages: [],
    earlierCursor: null,
    questions: [],
    moreQuestionsCursor: null,
    hands: [],
    viewerHandRaised: false,
    muted: [],
    presentCount: 0,
    present: [],
  });

  const upsertMessage = (message: ChatMessage) => {
    const index = content.messages.findIndex((entry) => entry.id === message.id);
    if (index >= 0) {
      // Merging keeps the row's identity, so an edit open on another message stays open.
      setContent('messages', index, reconcile(message));
      return;
    }
    setContent(
      'messages',
      produce((messages) => {
        messages.splice(insertionIndex(messages, message.sequence), 0, message);
      }),
    );
  };

  const prependMessages = (page: ChatPage) => {
    batch(() => {
      for (const message of page.nodes) {
        upsertMessage(message);
      }
      setContent('earlierCursor', page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null);
    });
  };

  const upsertQuestion = (question: Question) => {
    const index = content.questions.findIndex((entry) => entry.id === question.id);
    if (index >= 0) {
      setContent('questions', index, reconcile(question));
    } else {
      setContent('questions', content.questions.length, question);
    }
  };

  const appendQuestions = (page: QuestionPage) => {
    batch(() => {
      for (const question of page.nodes) {
        upsertQuestion(question);
      }
      setContent('moreQuestionsCursor', page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    });
  };

  const setHand = (user: Person, raised: boolean, viewerId: string | undefined) => {
    batch(() => {
      const present = content.hands.some((hand) => hand.user.id === user.id);
      if (raised && !present) {
        setContent('hands', content.hands.length, { raisedAt: new Date().toISOString(), user });
      } else if (!raised && present) {
        setContent('hands', (hands) => hands.filter((hand) => hand.user.id !== user.id));
      }
      if (user.id === viewerId) {
        setContent('viewerHandRaised', raised);
      }
    });
  };

  const setMuted = (person: Person, muted: boolean) => {
    const others = content.muted.filter((entry) => entry.id !== person.id);
    setContent('muted', muted ? [...others, person].sort(byName) : others);
  };

  const setPresence = (person: Person, present: boolean, count: number | null) => {
    batch(() => {
      const others = content.present.filter((entry) => entry.id !== person.id);
      setContent('present', present ? [...others, person].sort(byName) : others);
      if (count !== null) {
        setContent('presentCount', count);
      }
    });
  };

  const replacePresence = (data: PresenceData) => {
    batch(() => {
      setContent('presentCount', data.presentCount);
      setContent('present', reconcile(data.presentParticipants.nodes, { key: 'id' }));
    });
  };

  const seed = (data: NonNullable<RoomContentData['liveSession']>) => {
    batch(() => {
      setContent({
        messages: data.chatMessages.nodes,
        earlierCursor: data.chatMessages.pageInfo.hasPreviousPage
          ? data.chatMessages.pageInfo.startCursor
          : null,
        questions: data.questions.nodes,
        moreQuestionsCursor: data.questions.pageInfo.hasNextPage
          ? data.questions.pageInfo.endCursor
          : null,
        hands: data.raisedHands,
        viewerHandRaised: data.viewerHandRaised,
        muted: data.mutedParticipants,
      });
      replacePresence(data);
    });
  };

  return {
    content,
    seed,
    upsertMessage,
    prependMessages,
    upsertQuestion,
    appendQuestions,
    setHand,
    setMuted,
    setPresence,
    replacePresence,
    setPresentCount: (count: number) => setContent('presentCount', count),
    /** Drops the hands of an ended session, which the server lowers when it ends. */
    clearHands: () => setContent({ hands: [], viewerHandRaised: false }),
  };
}

export type RoomStore = ReturnType<typeof createRoomStore>;
