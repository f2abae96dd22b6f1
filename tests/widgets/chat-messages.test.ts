import { describe, expect, test } from 'vitest';
import {
  applyChatEvent,
  type ChatMessage,
  mergeLoadedMessages,
} from '../../client/widgets/chat/chat-messages.ts';

function message(sequence: number, body = `message ${sequence}`): ChatMessage {
  return {
    id: `ChatMessage:${sequence}`,
    sequence,
    body,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, sequence)).toISOString(),
    editedAt: null,
    deletedAt: null,
    author: { id: 'User:1', displayName: 'Ada' },
  };
}

const sequences = (messages: ChatMessage[]) => messages.map((shown) => shown.sequence);

describe('applyChatEvent', () => {
  test('appends a new message in sequence order', () => {
    const shown = [message(1), message(3)];

    const next = applyChatEvent(shown, 'CHAT_MESSAGE', message(2), 10);

    expect(sequences(next)).toEqual([1, 2, 3]);
  });

  test('keeps one copy of a replayed message', () => {
    const shown = [message(1), message(2)];

    const next = applyChatEvent(shown, 'CHAT_MESSAGE', message(2), 10);

    expect(sequences(next)).toEqual([1, 2]);
  });

  test('replaces an edited message by id', () => {
    const edited = { ...message(2, 'changed'), editedAt: '2026-01-01T13:00:00.000Z' };

    const next = applyChatEvent([message(1), message(2)], 'CHAT_MESSAGE_EDITED', edited, 10);

    expect(next[1]?.body).toBe('changed');
    expect(next[1]?.editedAt).toBe(edited.editedAt);
  });

  test('ignores an edit of a message not shown', () => {
    const shown = [message(5)];

    const next = applyChatEvent(shown, 'CHAT_MESSAGE_EDITED', message(1, 'old'), 10);

    expect(next).toBe(shown);
  });

  test('removes a deleted message by id', () => {
    const deleted = { ...message(2, ''), deletedAt: '2026-01-01T13:00:00.000Z' };

    const next = applyChatEvent([message(1), message(2)], 'CHAT_MESSAGE_DELETED', deleted, 10);

    expect(sequences(next)).toEqual([1]);
  });

  test('skips a message already deleted when delivered', () => {
    const deleted = { ...message(3, ''), deletedAt: '2026-01-01T13:00:00.000Z' };

    const next = applyChatEvent([message(1)], 'CHAT_MESSAGE', deleted, 10);

    expect(sequences(next)).toEqual([1]);
  });

  test('keeps only the latest messages', () => {
    const shown = [message(1), message(2), message(3)];

    const next = applyChatEvent(shown, 'CHAT_MESSAGE', message(4), 3);

    expect(sequences(next)).toEqual([2, 3, 4]);
  });
});

describe('mergeLoadedMessages', () => {
  test('keeps live messages newer than the load', () => {
    const shown = [message(1), message(2), message(3)];

    const next = mergeLoadedMessages(shown, [message(1, 'edited'), message(2)], 10);

    expect(sequences(next)).toEqual([1, 2, 3]);
    expect(next[0]?.body).toBe('edited');
  });

  test('drops deleted messages of the load', () => {
    const loaded = [message(1), { ...message(2, ''), deletedAt: '2026-01-01T13:00:00.000Z' }];

    const next = mergeLoadedMessages([], loaded, 10);

    expect(sequences(next)).toEqual([1]);
  });
});
