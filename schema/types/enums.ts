import { builder } from '../builder.ts';

/** Descriptions of the schema's enum values, by enum name and stored value. */
const VALUE_DESCRIPTIONS: Record<string, Record<string, string>> = {
  ApiScope: {
    read: 'Run queries and subscriptions.',
    write: 'Also run mutations.',
  },
  BadgeAwardSource: {
    manual: 'Given by hand by someone who manages the badge.',
    review: "Given when a reviewer approved the educator's evidence.",
    rule: "Given automatically when the person met one of the badge's rules.",
  },
  BadgeImageSymbol: {
    atom: 'An atom, for science.',
    book: 'An open book, for reading and literacy.',
    chat: 'A speech bubble, for discussion and collaboration.',
    globe: 'A globe, for citizenship and the wider world.',
    lightbulb: 'A light bulb, for ideas and design.',
    pencil: 'A pencil, for writing and planning.',
    shield: 'A shield, for safety and crisis preparedness.',
    star: 'A star, for achievement.',
  },
  BadgeKind: {
    microcredential: 'Certifies a skill, usually after evidence is reviewed.',
    participation: 'Recognizes taking part or contributing.',
  },
  BadgeRuleKind: {
    pathway:
      'Holding `threshold` of the badges the rule names, as active, unexpired awards: a pathway made of other badges of the same community or district.',
    reactions_received:
      "Reactions from other people on the person's replies that are not deleted; each kind of reaction counts once per person and reply.",
    replies_posted: 'Replies the person posted that are not deleted.',
    sessions_attended:
      'Ended live sessions the person attended for at least `minMinutes` credited minutes (at least 1), counting host adjustments.',
    threads_started: 'Threads the person started.',
  },
  CommunityActivityType: {
    badge_awarded: 'A badge of the community was awarded.',
    live_session_scheduled: 'A live session was scheduled.',
    reply_posted: 'A reply was posted in one of its threads.',
    thread_created: 'A thread was started.',
    post_removed: 'A moderator removed a reply; `postId` names it.',
    post_restored: 'A moderator restored a removed reply or approved a held one.',
    thread_removed: 'A moderator removed a thread; `threadId` names it.',
    thread_restored: 'A moderator restored a removed thread or approved a held one.',
  },
  EvidenceSubmissionStatus: {
    approved: 'A reviewer approved it, and the educator was awarded the badge.',
    changes_requested: 'A reviewer asked for changes; the educator may revise or withdraw it.',
    declined: 'A reviewer declined it; the educator may send new evidence.',
    pending: 'Waiting for a reviewer: sent, or revised after changes were requested.',
    withdrawn: 'The educator withdrew it.',
  },
  FocusArea: {
    crisis_preparedness: 'Crisis preparedness and school safety.',
    leadership: 'School and instructional leadership.',
    literacy: 'Reading, writing and language.',
    other: 'Any other shared goal.',
    stem: 'Science, technology, engineering and mathematics.',
  },
  InvitationState: {
    accepted: 'Accepted: the invited person is a member.',
    expired: 'Past its 7 days without being accepted.',
    pending: 'Sent, and can still be accepted.',
    revoked: 'Withdrawn by a facilitator, or replaced by a newer invitation.',
  },
  IsteStandard: {
    analyst: '2.7 Analyst.',
    citizen: '2.3 Citizen.',
    collaborator: '2.4 Collaborator.',
    designer: '2.5 Designer.',
    facilitator: '2.6 Facilitator.',
    leader: '2.2 Leader.',
    learner: '2.1 Learner.',
  },
  LiveRoomSignalType: {
    presence: 'Someone arrived in the room, or left it or timed out.',
    reaction: 'Someone sent a quick reaction.',
    typing: 'Someone is typing a chat message.',
  },
  LiveSeriesFrequency: {
    monthly: 'Every 1 to 12 months.',
    weekly: 'Every 1 to 4 weeks, on the weekday of the first occurrence.',
  },
  LiveSeriesMonthlyKind: {
    day_of_month:
      'The same day of the month as the first occurrence, such as the 15th; months without that day (the 31st in April) are skipped, as in RFC 5545.',
    last_weekday:
      'The last of that weekday in the month, such as the last Friday; the first occurrence must be one.',
    nth_weekday:
      'The same weekday in the same week of the month, such as the second Tuesday; the first occurrence must not be a fifth weekday.',
  },
  LiveSessionEventType: {
    chat_message: 'A chat message was sent.',
    chat_message_deleted: 'A chat message was deleted by its author or a moderator.',
    chat_message_edited: 'A chat message was edited by its author.',
    hand_lowered: 'A raised hand went down, lowered by its owner or the host.',
    hand_raised: 'Someone raised their hand.',
    participant_muted: 'A moderator muted someone: they can no longer chat or ask.',
    participant_unmuted: 'A moderator unmuted someone.',
    question_asked: 'A question was asked.',
    question_updated: 'A question got a vote or lost one, or was answered or dismissed.',
    status_changed: 'The session started, ended or was cancelled.',
    updated: 'The title, time, description, join link or slow mode changed.',
  },
  LiveSessionStatus: {
    cancelled: 'Cancelled by its host or a facilitator.',
    ended: 'Ended by its host.',
    live: 'Started and running now.',
    scheduled: 'Not started yet.',
  },
  MembershipRole: {
    facilitator: 'Moderates, approves requests, invites, and removes members.',
    member: 'Reads and writes.',
    owner: 'Also changes settings and roles.',
  },
  MembershipStatus: {
    active: 'A member.',
    banned: 'Banned: may not join or ask again until unbanned.',
    requested: 'Asked to join; waits for a decision.',
  },
  NotificationKind: {
    badge_awarded: 'A badge was awarded to the person.',
    badge_revoked: "One of the person's badge awards was revoked, with a reason.",
    evidence_submitted: 'Evidence for a badge the person reviews waits for review.',
    review_result:
      "A reviewer decided on the person's evidence: approved, changes requested or declined.",
    reply: "Someone replied to the person's thread or post.",
    seat_confirmed: 'A seat opened in a full live session, and the waitlisted person now has it.',
    starting_soon: 'A live session the person holds a seat in starts within 15 minutes.',
    mention: 'Someone mentioned the person in a thread or a reply.',
    answer_accepted: "The person's reply was accepted as the answer to a question.",
    followed_reply: 'Someone replied in a thread the person follows.',
    new_thread: 'Someone started a thread in a community the person follows.',
    moderation:
      'A facilitator acted on the person or their content: warned, muted (until a time) or banned them, or removed their post.',
    report_resolved: 'A facilitator decided on a report the person made.',
  },
  FollowState: {
    following: 'Notify of new replies (a thread) or new threads (a community).',
    muted:
      "Notify of no replies, followed replies, new threads or mentions from it; a thread's own state takes precedence over its community's.",
    none: 'No choice made: only direct replies and mentions notify.',
  },
  NotificationDelivery: {
    in_app: 'In the app only.',
    email: 'In the app, and one mail per notification within about 10 seconds.',
    daily_digest: 'In the app, and one mail a day with the notifications not read yet.',
    weekly_digest: 'In the app, and one mail a week with the notifications not read yet.',
  },
  ReactionKind: {
    celebrate: 'Celebrates the post.',
    insightful: 'Marks the post as insightful.',
    like: 'Likes the post.',
    thanks: 'Thanks its author.',
  },
  QuestionOrder: {
    newest: 'Newest first.',
    oldest: 'Oldest first, as asked.',
    votes: 'Most upvotes first; ties oldest first.',
  },
  QuestionStatus: {
    answered: 'The host marked it answered.',
    dismissed: 'The host set it aside without an answer.',
    open: 'Waiting for an answer.',
  },
  ReviewDecision: {
    approved: 'The evidence meets the criteria; the badge is awarded.',
    changes_requested: 'The educator should revise the evidence and send it again.',
    declined: 'The evidence does not meet the criteria; the submission is closed.',
  },
  RsvpSeat: {
    confirmed: 'Holds a seat, and sees the join link before the start.',
    waitlisted: 'Waits for a seat; the first in line gets the next one that opens.',
  },
  RsvpStatus: {
    going: 'Plans to attend.',
    maybe: 'Might attend.',
    not_going: 'Will not attend.',
  },
  SessionKind: {
    bearer: 'Return a token to send as `Authorization: Bearer <token>`.',
    cookie: 'Set an httpOnly session cookie, for the web client.',
  },
  ThreadActivityType: {
    post_added: 'A reply was posted.',
    post_deleted: 'A reply was deleted.',
    post_edited: 'A reply was edited.',
    reaction_changed: 'A reaction was added or taken back.',
    thread_updated: 'The thread was pinned, locked, or its accepted answer changed.',
    post_removed: 'A moderator removed a reply; `postId` names it.',
    post_restored: 'A moderator restored a removed reply or approved a held one.',
    thread_removed: 'A moderator removed a thread; `threadId` names it.',
    thread_restored: 'A moderator restored a removed thread or approved a held one.',
  },
  ReportAction: {
    approved: 'The held thread or post was released.',
    banned: 'The person was banned from the community.',
    dismissed: 'Nothing was wrong; nothing changed.',
    muted: 'The person was muted in the community until a set time.',
    removed: 'The content was removed from everyone but moderators.',
    warned: 'The person was sent a warning.',
  },
  ReportReason: {
    harassment: 'It targets or demeans a person.',
    held_link: 'Set by the server: a new account posted links, held for review.',
    inappropriate: 'It is not suitable for a professional community of educators.',
    off_topic: 'It does not belong in this community.',
    other: 'Another reason, given in the details.',
    privacy: 'It shares private information, such as a student’s.',
    spam: 'Advertising, repeated or automated posting.',
  },
  ReportStatus: {
    open: 'Waiting in the review queue.',
    resolved: 'Decided; the report carries the action.',
  },
  ReportSubjectKind: {
    chat_message: 'A chat message in a live session.',
    person: 'A person, for their conduct in the community.',
    post: 'A reply in a thread.',
    thread: 'A thread.',
  },
  ThreadKind: {
    announcement: 'From owners and facilitators; members cannot reply.',
    discussion: 'An open conversation.',
    question: 'A question whose asker or a facilitator can accept an answer.',
  },
  UploadPurpose: {
    badge_image: "A badge's image: PNG or SVG, at most 512 KB and 2048x2048 pixels.",
    evidence:
      'A file of evidence for a badge: PDF, PNG, JPEG, WebP, plain text, DOCX, PPTX or XLSX, at most 10 MB.',
  },
  Visibility: {
    district: "The owning district's staff and the members read it.",
    private: 'Only members read it; unlisted ones are invisible to others.',
    public: 'Anyone reads it, signed out too.',
  },
};

/**
 * Makes a GraphQL enum from the lowercase values stored in the database: `crisis_preparedness`
 * is exposed as `CRISIS_PREPAREDNESS` and maps back to the stored value.
 */
export function enumFromValues<const T extends readonly string[]>(
  name: string,
  values: T,
  description?: string,
) {
  const valueDescriptions = VALUE_DESCRIPTIONS[name] ?? {};
  return builder.enumType(name, {
    description,
    values: Object.fromEntries(
      values.map((value) => [
        value.toUpperCase(),
        { value, description: valueDescriptions[value] },
      ]),
    ) as unknown as {
      [K in T[number] as Uppercase<K>]: { value: K };
    },
  });
}
