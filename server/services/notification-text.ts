import type { NOTIFICATION_KINDS, NotificationSubject } from '../../drizzle/tables/index.ts';

type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Names of what a notification points at, loaded by the caller; null when gone or unknown. */
export interface NotificationNames {
  actorName: string | null;
  threadTitle: string | null;
  communityName: string | null;
  badgeName: string | null;
  liveSessionTitle: string | null;
  /** The moderator's note on the decision, shown to the person acted on and to reporters. */
  note?: string | null;
  /** The kind of a report's subject: 'thread', 'post', 'chat_message' or 'person'. */
  reportSubjectKind?: string | null;
}

const MODERATION_ACTIONS: Record<string, string> = {
  warned: 'A facilitator warned you',
  muted: 'A facilitator muted you',
  banned: 'A facilitator banned you',
  removed: 'A facilitator removed your post',
};

const REPORT_OUTCOMES: Record<string, string> = {
  dismissed: 'was reviewed, and no action was needed',
  approved: 'was reviewed, and the content was approved',
  removed: 'was reviewed, and the content was removed',
  warned: 'was reviewed, and its author was warned',
  muted: 'was reviewed, and its author was muted',
  banned: 'was reviewed, and its author was banned',
};

function quoted(name: string | null, fallback: string): string {
  return name === null ? fallback : `“${name}”`;
}

/** Formats the end of a mute as a UTC date and time, such as "2026-12-05 14:00 UTC". */
function formatUntil(until: string): string {
  const date = new Date(until);
  return Number.isNaN(date.getTime())
    ? until
    : `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Appends the moderator's note, when there is one, as a second sentence. */
function withNote(sentence: string, note: string | null | undefined): string {
  const trimmed = note?.trim();
  return trimmed ? `${sentence} Note from the facilitator: ${trimmed}` : sentence;
}

function moderationSentence(subject: NotificationSubject, names: NotificationNames): string {
  const where = names.communityName === null ? '' : ` in “${names.communityName}”`;
  const action = subject.action ?? '';
  const lead = MODERATION_ACTIONS[action] ?? 'A facilitator acted on your account';
  if (action === 'muted' && subject.until) {
    return `${lead}${where} until ${formatUntil(subject.until)}.`;
  }
  if (action === 'removed' && names.threadTitle !== null) {
    return `${lead} in “${names.threadTitle}”.`;
  }
  return `${lead}${where}.`;
}

function moderationText(subject: NotificationSubject, names: NotificationNames): string {
  return withNote(moderationSentence(subject, names), names.note);
}

/** Names what a report concerned, such as "a reply in “Fractions”". */
function reportedContent(subject: NotificationSubject, names: NotificationNames): string {
  const thread = names.threadTitle === null ? '' : ` in “${names.threadTitle}”`;
  const community = names.communityName === null ? '' : ` in “${names.communityName}”`;
  switch (names.reportSubjectKind) {
    case 'thread':
      return names.threadTitle === null
        ? `a thread${community}`
        : `the thread “${names.threadTitle}”`;
    case 'post':
      return `a reply${thread || community}`;
    case 'chat_message':
      return `a chat message${community}`;
    case 'person':
      return `a member${community}`;
    default:
      if (subject.postId) {
        return `a reply${thread || community}`;
      }
      return names.threadTitle === null ? `content${community}` : `“${names.threadTitle}”`;
  }
}

function reportResolvedText(subject: NotificationSubject, names: NotificationNames): string {
  const outcome = REPORT_OUTCOMES[subject.action ?? ''] ?? 'was reviewed';
  return withNote(`Your report about ${reportedContent(subject, names)} ${outcome}.`, names.note);
}

/**
 * Returns the sentence for a notification of the kinds MENTION, ANSWER_ACCEPTED, FOLLOWED_REPLY,
 * NEW_THREAD, MODERATION and REPORT_RESOLVED. Returns null for the other kinds, whose texts the
 * Notification type builds itself.
 */
export function describeNotification(
  kind: NotificationKind,
  subject: NotificationSubject,
  names: NotificationNames,
): string | null {
  const actor = names.actorName ?? 'Someone';
  const thread = quoted(names.threadTitle, 'a thread');
  switch (kind) {
    case 'mention':
      return `${actor} mentioned you in ${thread}.`;
    case 'answer_accepted':
      return `${actor} accepted your reply as the answer to ${thread}.`;
    case 'followed_reply':
      return `${actor} replied in ${thread}, which you follow.`;
    case 'new_thread':
      return `${actor} started ${thread} in ${quoted(names.communityName, 'a community you follow')}.`;
    case 'moderation':
      return moderationText(subject, names);
    case 'report_resolved':
      return reportResolvedText(subject, names);
    default:
      return null;
  }
}

/**
 * Returns a sentence for any notification kind, for mail, where the GraphQL resolver's loaders
 * are not at hand. For the older kinds the sentence is shorter than the Notification type's message.
 */
export function describeNotificationForMail(
  kind: NotificationKind,
  subject: NotificationSubject,
  names: NotificationNames,
): string {
  const text = describeNotification(kind, subject, names);
  if (text !== null) {
    return text;
  }
  const actor = names.actorName ?? 'Someone';
  const badge = quoted(names.badgeName, 'a badge');
  const session = quoted(names.liveSessionTitle, 'A live session');
  switch (kind) {
    case 'reply':
      return `${actor} replied to you in ${quoted(names.threadTitle, 'a thread')}.`;
    case 'badge_awarded':
      return subject.actorId ? `${actor} awarded you the badge ${badge}.` : `You earned ${badge}.`;
    case 'badge_revoked':
      return `${actor} revoked your badge ${badge}.`;
    case 'evidence_submitted':
      return `${actor} sent evidence for ${badge} to review.`;
    case 'review_result':
      return `${actor} reviewed your evidence for ${badge}.`;
    case 'seat_confirmed':
      return `A seat opened in ${session}, and it is yours now.`;
    case 'starting_soon':
      return `${session} starts soon.`;
    default:
      return 'You have a new notification.';
  }
}
