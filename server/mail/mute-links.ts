import { createHmac, timingSafeEqual } from 'node:crypto';

/** Target of a mute link: one thread, one community, or all notification mail of a person. */
export type MuteTarget =
  | { kind: 'thread'; userId: number; threadId: number }
  | { kind: 'community'; userId: number; communityId: number }
  | { kind: 'email'; userId: number };

const VERSION = 'm1';
/** Bytes of HMAC-SHA256 kept in a token: 128 bits, beyond guessing. */
const SIGNATURE_BYTES = 16;

export interface MuteLinks {
  /** Returns the absolute URL of a link that mutes `target` for its person, without sign-in. */
  url(target: MuteTarget): string;
  /** Returns the target of a token, or null when it is malformed or its signature is wrong. */
  verify(token: string): MuteTarget | null;
}

function encodeTarget(target: MuteTarget): string {
  if (target.kind === 'thread') {
    return `${VERSION}.${target.userId}.t${target.threadId}`;
  }
  if (target.kind === 'community') {
    return `${VERSION}.${target.userId}.c${target.communityId}`;
  }
  return `${VERSION}.${target.userId}.e`;
}

function decodeTarget(payload: string): MuteTarget | null {
  const match = /^m1\.(\d{1,10})\.(t\d{1,10}|c\d{1,10}|e)$/.exec(payload);
  if (!match) {
    return null;
  }
  const userId = Number(match[1]);
  const what = match[2] ?? '';
  if (what === 'e') {
    return { kind: 'email', userId };
  }
  const id = Number(what.slice(1));
  return what.startsWith('t')
    ? { kind: 'thread', userId, threadId: id }
    : { kind: 'community', userId, communityId: id };
}

// NOTE: mute links never expire, and a new key invalidates every link already mailed.
/**
 * Creates the signer of mute links: `<publicUrl>/mute/<payload>.<signature>`, where the payload
 * names the person and the target and the signature is HMAC-SHA256 under `key`. Anyone holding a
 * link can apply its mute, and nothing else, so a link needs no sign-in; a changed payload fails
 * the signature.
 */
export function createMuteLinks(key: Buffer, publicUrl: string): MuteLinks {
  const sign = (payload: string) =>
    createHmac('sha256', key).update(payload).digest().subarray(0, SIGNATURE_BYTES);
  return {
    url(target) {
      const payload = encodeTarget(target);
      return `${publicUrl}/mute/${payload}.${sign(payload).toString('base64url')}`;
    },
    verify(token) {
      const cut = token.lastIndexOf('.');
      if (cut <= 0 || token.length > 200) {
        return null;
      }
      const payload = token.slice(0, cut);
      const signature = token.slice(cut + 1);
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      // Decoding ignores the unused low bits of the last character and any character outside
      // the alphabet, so a signature is accepted only in its one canonical spelling.
      if (
        given.length !== expected.length ||
        given.toString('base64url') !== signature ||
        !timingSafeEqual(given, expected)
      ) {
        return null;
      }
      return decodeTarget(payload);
    },
  };
}
