import { mutationDocument } from './operations.ts';

export interface EmbedKeyCommunity {
  id: string;
  slug: string;
  name: string;
  visibility: 'PUBLIC' | 'DISTRICT' | 'PRIVATE';
}

export interface EmbedKeyUsageDay {
  /** YYYY-MM-DD. */
  day: string;
  requests: number;
  subscriptions: number;
  frames: number;
}

export interface EmbedKey {
  id: string;
  key: string;
  name: string;
  allowedOrigins: string[];
  communities: EmbedKeyCommunity[];
  districtReadAccepted: boolean;
  createdAt: string;
  createdBy: { id: string; displayName: string } | null;
  revokedAt: string | null;
  useCount: number;
  lastUsedAt: string | null;
  usage: EmbedKeyUsageDay[];
}

/**
 * Maximum length of a key's name. The server counts code points, and an input's `maxlength`
 * counts UTF-16 code units, so the form is stricter for characters such as emoji.
 */
export const MAX_KEY_NAME_LENGTH = 80;

/** Maximum number of allowed origins on one key, the server's limit. */
export const MAX_KEY_ORIGINS = 20;

/** Days of usage that the owner pages show per key. */
export const USAGE_DAYS = 14;

export const EMBED_KEY_FIELDS = `id key name allowedOrigins districtReadAccepted createdAt revokedAt
  useCount lastUsedAt createdBy { id displayName } communities { id slug name visibility }
  usage(days: ${USAGE_DAYS}) { day requests subscriptions frames }`;

/** The owner of an embed key: one community, or a district whose key may list several. */
export type EmbedKeyOwner =
  | { kind: 'community'; id: string; community: EmbedKeyCommunity }
  | { kind: 'district'; id: string; name: string; communities: EmbedKeyCommunity[] };

export const CREATE_EMBED_KEY = mutationDocument(
  'createEmbedKey',
  'CreateEmbedKeyInput',
  EMBED_KEY_FIELDS,
);
export const UPDATE_EMBED_KEY = mutationDocument(
  'updateEmbedKey',
  'UpdateEmbedKeyInput',
  EMBED_KEY_FIELDS,
);
export const REVOKE_EMBED_KEY = mutationDocument(
  'revokeEmbedKey',
  'RevokeEmbedKeyInput',
  EMBED_KEY_FIELDS,
);

/**
 * Splits the text of an origins box into origins, one per non-empty line, and keeps each one's
 * line number so that a server issue about `allowedOrigins.<index>` can name the line.
 */
export function parseOriginLines(text: string): { origins: string[]; lines: number[] } {
  const origins: string[] = [];
  const lines: number[] = [];
  text.split('\n').forEach((line, index) => {
    const origin = line.trim();
    if (origin) {
      origins.push(origin);
      lines.push(index + 1);
    }
  });
  return { origins, lines };
}

/**
 * Words the validation issues about allowed origins for the form. An issue whose path ends in an
 * index names that line and its text. An issue about the whole list stays as it is, with the
 * number of origins entered when there are more than the limit.
 */
export function describeOriginIssues(
  issues: { path: string[]; message: string }[] | undefined,
  parsed: { origins: string[]; lines: number[] },
): string[] {
  return (issues ?? [])
    .filter((issue) => issue.path[0] === 'allowedOrigins')
    .map((issue) => {
      const index = Number(issue.path[1]);
      const origin = parsed.origins[index];
      if (issue.path[1] === undefined && parsed.origins.length > MAX_KEY_ORIGINS) {
        return `${issue.message}, and ${parsed.origins.length} were entered`;
      }
      if (issue.path[1] === undefined || !Number.isInteger(index) || origin === undefined) {
        return issue.message;
      }
      return `Line ${parsed.lines[index]} (${origin}): ${issue.message}`;
    });
}

/** Returns the number of origins entered against the limit, and how many to remove past it. */
export function describeOriginCount(count: number): string {
  const counted = `${count} of ${MAX_KEY_ORIGINS} origins`;
  return count > MAX_KEY_ORIGINS ? `${counted}: remove ${count - MAX_KEY_ORIGINS}.` : counted;
}

/** Returns whether an embed key may be used: it has not been revoked. */
export function isLive(key: EmbedKey): boolean {
  return key.revokedAt === null;
}
