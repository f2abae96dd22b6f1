import { describe, expect, test } from 'vitest';
import {
  type CommunityAccess,
  canAcceptAnswer,
  canChatInLiveSession,
  canCreateThread,
  canJoinCommunity,
  canReadCommunity,
  canReplyToThread,
  type MembershipAccess,
} from '../../server/auth/access.ts';

const district: CommunityAccess = { id: 1, visibility: 'district', listed: true, districtId: 7 };
const privateCommunity: CommunityAccess = {
  id: 2,
  visibility: 'private',
  listed: true,
  districtId: null,
};
const publicCommunity: CommunityAccess = {
  id: 3,
  visibility: 'public',
  listed: true,
  districtId: null,
};
const person = { isPlatformAdmin: false, adminDistrictIds: [], scopes: ['read', 'write'] } as const;
const staff = { ...person, id: 10, districtId: 7 };
const outsider = { ...person, id: 11, districtId: 8 };
const member: MembershipAccess = { role: 'member', status: 'active' };
const facilitator: MembershipAccess = { role: 'facilitator', status: 'active' };
const removed: MembershipAccess = { role: 'member', status: 'requested' };

describe('canReadCommunity', () => {
  test('lets anyone read a public community', () => {
    expect(canReadCommunity(null, publicCommunity, null)).toBe(true);
  });

  test('limits a district community to its staff and members', () => {
    expect(canReadCommunity(staff, district, null)).toBe(true);
    expect(canReadCommunity(outsider, district, null)).toBe(false);
    expect(canReadCommunity(outsider, district, member)).toBe(true);
    expect(canReadCommunity(null, district, null)).toBe(false);
  });

  test('limits a private community to active members', () => {
    expect(canReadCommunity(staff, privateCommunity, null)).toBe(false);
    expect(canReadCommunity(staff, privateCommunity, removed)).toBe(false);
    expect(canReadCommunity(staff, privateCommunity, member)).toBe(true);
  });
});

describe('canJoinCommunity', () => {
  test('follows visibility and district', () => {
    expect(canJoinCommunity(outsider, publicCommunity, null)).toBe(true);
    expect(canJoinCommunity(null, publicCommunity, null)).toBe(false);
    expect(canJoinCommunity(staff, district, null)).toBe(true);
    expect(canJoinCommunity(outsider, district, null)).toBe(false);
    expect(canJoinCommunity(staff, privateCommunity, null)).toBe(false);
    expect(canJoinCommunity(staff, publicCommunity, member)).toBe(false);
  });
});

describe('thread rules', () => {
  const discussion = { authorId: 10, kind: 'discussion' as const, locked: false };

  test('keeps announcements for moderators', () => {
    expect(canCreateThread(member, 'announcement')).toBe(false);
    expect(canCreateThread(facilitator, 'announcement')).toBe(true);
    expect(canReplyToThread(member, { ...discussion, kind: 'announcement' })).toBe(false);
    expect(canReplyToThread(facilitator, { ...discussion, kind: 'announcement' })).toBe(true);
  });

  test('closes locked threads to members', () => {
    expect(canReplyToThread(member, { ...discussion, locked: true })).toBe(false);
    expect(canReplyToThread(facilitator, { ...discussion, locked: true })).toBe(true);
    expect(canReplyToThread(removed, discussion)).toBe(false);
  });

  test('lets the asker or a facilitator accept answers', () => {
    const question = { ...discussion, kind: 'question' as const };

    expect(canAcceptAnswer(staff, question, member)).toBe(true);
    expect(canAcceptAnswer(outsider, question, member)).toBe(false);
    expect(canAcceptAnswer(outsider, question, facilitator)).toBe(true);
    expect(canAcceptAnswer(staff, discussion, member)).toBe(false);
  });
});

describe('canChatInLiveSession', () => {
  test('opens chat to members before and during a session', () => {
    expect(canChatInLiveSession({ hostId: 1, status: 'live' }, member)).toBe(true);
    expect(canChatInLiveSession({ hostId: 1, status: 'scheduled' }, member)).toBe(true);
    expect(canChatInLiveSession({ hostId: 1, status: 'ended' }, member)).toBe(false);
    expect(canChatInLiveSession({ hostId: 1, status: 'live' }, null)).toBe(false);
  });
});
