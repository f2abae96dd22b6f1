/** A chat message as the widget shows it. */
export interface ChatMessage {
  id: string;
  sequence: number;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  author: { id: string; displayName: string } | null;
}

/** Keeps the latest `limit` messages of a list sorted by sequence. */
function keepLatest(messages: ChatMessage[], limit: number): ChatMessage[] {
  return messages.length > limit ? messages.slice(messages.length - limit) : messages;
}

/**
 * Applies one chat event of liveSessionEvents to a list sorted by sequence and returns the new
 * list. A message sent twice (a replay after reconnecting, or the send result and its event)
 * appears once: a known id or sequence replaces the message. An edit of a message not in the
 * list is ignored, and a deleted one is removed, since the widget does not show deleted
 * messages.
 */
export function applyChatEvent(
  messages: ChatMessage[],
  type: string,
  message: ChatMessage,
  limit: number,
): ChatMessage[] {
  const index = messages.findIndex(
    (known) => known.id === message.id || known.sequence === message.sequence,
  );
  if (type === 'CHAT_MESSAGE_DELETED' || message.deletedAt) {
    return index === -1 ? messages : messages.filter((_, position) => position !== index);
  }
  if (index !== -1) {
    const next = messages.slice();
    next[index] = message;
    return next;
  }
  if (type !== 'CHAT_MESSAGE') {
    return messages;
  }
  let position = messages.length;
  while (position > 0 && (messages[position - 1]?.sequence ?? 0) > message.sequence) {
    position -= 1;
  }
  const next = messages.slice();
  next.splice(position, 0, message);
  return keepLatest(next, limit);
}

/**
 * Merges a fresh query result into the list: the loaded messages, without deleted ones, plus
 * those already shown that came after the last loaded one through live events.
 */
export function mergeLoadedMessages(
  messages: ChatMessage[],
  loaded: ChatMessage[],
  limit: number,
): ChatMessage[] {
  const kept = loaded.filter((message) => !message.deletedAt);
  const lastLoaded = loaded.reduce((highest, message) => Math.max(highest, message.sequence), 0);
  const later = messages.filter((message) => message.sequence > lastLoaded);
  return keepLatest([...kept, ...later], limit);
}
