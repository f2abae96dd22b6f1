import { describe, expect, test } from 'vitest';
import {
  type CommunityAccess,
  type EmbedScope,
  embedKeyGrantsRead,
} from '../../server/auth/access.ts';
import { embedKeyNotice } from '../../server/embed/embed-access.ts';
import {
  type EmbedKeyRow,
  embedOriginAllowed,
  isEmbedKeyString,
  parseEmbedOrigin,
} from '../../server/services/embed-key.ts';

const publicCommunity: CommunityAccess = {
  id: 1,
  visibility: 'public',
  listed: true,
  districtId: null,
};
const districtCommunity: CommunityAccess = {
  id: 2,
  visibility: 'district',
  listed: true,
  districtId: 7,
};
const otherDistrictCommunity: CommunityAccess = {
  id: 3,
  visibility: 'district',
  listed: true,
  districtId: 8,
};
const privateCommunity: CommunityAccess = {
  id: 4,
  visibility: 'private',
  listed: true,
  districtId: 7,
};
const publicOffList: CommunityAccess = {
  id: 5,
  visibility: 'public',
  listed: true,
  districtId: null,
};

const allListed = new Set([1, 2, 3, 4]);
const communityKey: EmbedScope = {
  embedKeyId: 1,
  communityIds: new Set([1]),
  districtId: null,
  districtReadAccepted: false,
};
const districtKey: EmbedScope = {
  embedKeyId: 2,
  communityIds: allListed,
  districtId: 7,
  districtReadAccepted: false,
};
const acceptedDistrictKey: EmbedScope = { ...districtKey, districtReadAccepted: true };
const acceptedOtherDistrictKey: EmbedScope = { ...acceptedDistrictKey, districtId: 8 };

describe('embedKeyGrantsRead', () => {
  const cases: [string, EmbedScope, CommunityAccess, boolean][] = [
    ['public community on the list', communityKey, publicCommunity, true],
    ['public community off the list', communityKey, publicOffList, false],
    ['district community, not accepted', districtKey, districtCommunity, false],
    ['district community, accepted', acceptedDistrictKey, districtCommunity, true],
    ["another district's community, accepted", acceptedDistrictKey, otherDistrictCommunity, false],
    ["accepted by another district's key", acceptedOtherDistrictKey, districtCommunity, false],
    ['private community, accepted', acceptedDistrictKey, privateCommunity, false],
    ['private community, not accepted', districtKey, privateCommunity, false],
    [
      'community key marked accepted',
      { ...communityKey, communityIds: allListed, districtReadAccepted: true },
      districtCommunity,
      false,
    ],
    [
      'district community off an accepted list',
      { ...acceptedDistrictKey, communityIds: new Set([1]) },
      districtCommunity,
      false,
    ],
  ];

  test.each(cases)('%s', (_name, scope, community, granted) => {
    expect(embedKeyGrantsRead(scope, community)).toBe(granted);
  });
});

describe('parseEmbedOrigin', () => {
  const accepted: [string, string][] = [
    ['https://portal.example.org', 'https://portal.example.org'],
    ['  https://Portal.Example.ORG  ', 'https://portal.example.org'],
    ['https://portal.example.org/', 'https://portal.example.org'],
    ['https://portal.example.org:443', 'https://portal.example.org'],
    ['https://portal.example.org:8443', 'https://portal.example.org:8443'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['https://xn--bcher-kva.example', 'https://xn--bcher-kva.example'],
  ];
  const rejected: [string, RegExp][] = [
    ['', /empty/],
    ['   ', /empty/],
    ['http://portal.example.org', /https/],
    ['http://localhost.example.org', /https/],
    ['https://portal.example.org/widgets', /without a path/],
    ['https://portal.example.org?embed=1', /without a path/],
    ['https://portal.example.org#top', /without a path/],
    ['https://*.example.org', /wildcard/],
    ['*', /wildcard/],
    ['portal.example.org', /not an origin/],
    ['ftp://files.example.org', /https/],
    ['javascript:alert(1)', /https/],
    ['https://user:secret@portal.example.org', /user name or password/],
    [`https://${'a'.repeat(200)}.example.org`, /at most 200/],
  ];

  test.each(accepted)('accepts %s', (value, origin) => {
    expect(parseEmbedOrigin(value)).toEqual({ origin });
  });

  test.each(rejected)('rejects %s', (value, problem) => {
    const parsed = parseEmbedOrigin(value);

    expect(parsed).toHaveProperty('problem');
    expect((parsed as { problem: string }).problem).toMatch(problem);
  });
});

describe('embedOriginAllowed', () => {
  const key = { allowedOrigins: ['https://portal.example.org'] } as EmbedKeyRow;
  const isOwnOrigin = (origin: string) => origin === 'https://staffroom.example.org';

  test('allows listed and own origins only', () => {
    expect(embedOriginAllowed(key, 'https://portal.example.org', isOwnOrigin)).toBe(true);
    expect(embedOriginAllowed(key, 'https://staffroom.example.org', isOwnOrigin)).toBe(true);
    expect(embedOriginAllowed(key, 'https://portal.example.org:8443', isOwnOrigin)).toBe(false);
    expect(embedOriginAllowed(key, 'http://portal.example.org', isOwnOrigin)).toBe(false);
    expect(embedOriginAllowed(key, 'null', isOwnOrigin)).toBe(false);
  });
});

describe('isEmbedKeyString', () => {
  test('accepts only the ek_ form', () => {
    expect(isEmbedKeyString(`ek_${'A1_-'.repeat(8)}`)).toBe(true);
    expect(isEmbedKeyString(`ek_${'a'.repeat(31)}`)).toBe(false);
    expect(isEmbedKeyString(`ek_${'a'.repeat(33)}`)).toBe(false);
    expect(isEmbedKeyString(`EK_${'a'.repeat(32)}`)).toBe(false);
    expect(isEmbedKeyString(`ek_${'a'.repeat(31)}=`)).toBe(false);
  });
});

describe('embedKeyNotice', () => {
  test('reads changed and revoked keys', () => {
    expect(embedKeyNotice({ id: 0, topic: 'embed-key:12' })).toEqual({
      embedKeyId: 12,
      revoked: false,
    });
    expect(embedKeyNotice({ id: 0, topic: 'embed-key-revoked:12' })).toEqual({
      embedKeyId: 12,
      revoked: true,
    });
    expect(embedKeyNotice({ id: 0, topic: 'community:12' })).toBeNull();
    expect(embedKeyNotice({ id: 0, topic: 'embed-key:12x' })).toBeNull();
  });
});
