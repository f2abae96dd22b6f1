import { createHash, randomBytes } from 'node:crypto';
import { CREDENTIALS_V2_CONTEXT_URL, OPEN_BADGES_CONTEXT_URL } from './document-loader.ts';

/** Alignment of an achievement to a framework item, such as an ISTE Standard for Educators. */
export interface AlignmentInput {
  targetName: string;
  targetUrl: string;
  targetCode?: string;
  targetFramework?: string;
  targetType?: string;
  targetDescription?: string;
}

/** Evidence for an award: a page that shows it (`id`), a narrative, or both. */
export interface EvidenceInput {
  /** Address of a page that presents the evidence; omitted for a narrative only. */
  id?: string;
  name?: string;
  description?: string;
  narrative?: string;
}

/** Position of the credential in a Bitstring Status List credential. */
export interface StatusListEntryInput {
  statusListCredential: string;
  statusListIndex: number;
  statusPurpose?: 'revocation' | 'suspension';
}

export interface OpenBadgeCredentialInput {
  /** URL of the credential itself. */
  id: string;
  issuer: { id: string; name: string; url?: string; email?: string };
  validFrom: Date;
  validUntil?: Date;
  recipient: {
    email: string;
    /** Salt for the identity hash. A random 16-byte hex salt is used when absent. */
    salt?: string;
  };
  achievement: {
    id: string;
    name: string;
    description: string;
    criteriaNarrative: string;
    /** An Open Badges 3.0 achievement type, such as `Badge` or `Competency`. */
    achievementType?: string;
    imageUrl?: string;
    alignments?: AlignmentInput[];
  };
  evidence?: EvidenceInput[];
  credentialStatus?: StatusListEntryInput;
}

/** A JSON-LD object as stored and signed. */
export type JsonObject = { [key: string]: unknown };

/** An OpenBadgeCredential, unsigned or with its `proof`. */
export interface OpenBadgeCredential extends JsonObject {
  '@context': string[];
  id: string;
  type: string[];
  issuer: JsonObject & { id: string };
  validFrom: string;
  credentialSubject: JsonObject;
  /** Embedded proofs: `signCredential` writes one as a one-element array. */
  proof?: JsonObject | JsonObject[];
}

/**
 * Returns the Open Badges identity hash of an email address: `sha256$` followed by the hex
 * SHA-256 digest of the address and then the salt. The address is trimmed and lower-cased first,
 * so a verifier must normalize it the same way.
 */
export function hashEmailIdentity(email: string, salt: string): string {
  const normalized = email.trim().toLowerCase();
  return `sha256$${createHash('sha256')
    .update(normalized + salt)
    .digest('hex')}`;
}

/** Builds an unsigned OpenBadgeCredential (VC Data Model 2.0 with the Open Badges 3.0 context). */
export function buildOpenBadgeCredential(input: OpenBadgeCredentialInput): OpenBadgeCredential {
  assertUrl('id', input.id);
  assertUrl('issuer.id', input.issuer.id);
  assertUrl('achievement.id', input.achievement.id);
  if (input.validUntil && input.validUntil <= input.validFrom) {
    throw new RangeError(
      `validUntil (${input.validUntil.toISOString()}) must be after validFrom (${input.validFrom.toISOString()})`,
    );
  }

  const credential: OpenBadgeCredential = {
    '@context': [CREDENTIALS_V2_CONTEXT_URL, OPEN_BADGES_CONTEXT_URL],
    id: input.id,
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: input.achievement.name,
    issuer: buildIssuerProfile(input.issuer),
    validFrom: toDateTime(input.validFrom),
    credentialSubject: {
      type: ['AchievementSubject'],
      identifier: [buildEmailIdentifier(input.recipient)],
      achievement: buildAchievement(input.achievement),
    },
  };
  if (input.validUntil) {
    credential.validUntil = toDateTime(input.validUntil);
  }
  if (input.evidence && input.evidence.length > 0) {
    credential.evidence = input.evidence.map(buildEvidence);
  }
  if (input.credentialStatus) {
    credential.credentialStatus = buildStatusListEntry(input.credentialStatus);
  }
  return credential;
}

function buildIssuerProfile(issuer: OpenBadgeCredentialInput['issuer']): JsonObject & {
  id: string;
} {
  const profile: JsonObject & { id: string } = {
    id: issuer.id,
    type: ['Profile'],
    name: issuer.name,
  };
  if (issuer.url) {
    assertUrl('issuer.url', issuer.url);
    profile.url = issuer.url;
  }
  if (issuer.email) {
    profile.email = issuer.email;
  }
  return profile;
}

function buildEmailIdentifier(recipient: OpenBadgeCredentialInput['recipient']): JsonObject {
  const salt = recipient.salt ?? randomBytes(16).toString('hex');
  return {
    type: 'IdentityObject',
    identityType: 'emailAddress',
    hashed: true,
    identityHash: hashEmailIdentity(recipient.email, salt),
    salt,
  };
}

function buildAchievement(achievement: OpenBadgeCredentialInput['achievement']): JsonObject {
  const result: JsonObject = {
    id: achievement.id,
    type: ['Achievement'],
    name: achievement.name,
    description: achievement.description,
    criteria: { narrative: achievement.criteriaNarrative },
  };
  if (achievement.achievementType) {
    result.achievementType = achievement.achievementType;
  }
  if (achievement.imageUrl) {
    assertUrl('achievement.imageUrl', achievement.imageUrl);
    result.image = { id: achievement.imageUrl, type: 'Image' };
  }
  if (achievement.alignments && achievement.alignments.length > 0) {
    result.alignment = achievement.alignments.map(buildAlignment);
  }
  return result;
}

function buildAlignment(alignment: AlignmentInput, index: number): JsonObject {
  assertUrl(`achievement.alignments[${index}].targetUrl`, alignment.targetUrl);
  const result: JsonObject = {
    type: ['Alignment'],
    targetName: alignment.targetName,
    targetUrl: alignment.targetUrl,
  };
  for (const key of ['targetDescription', 'targetCode', 'targetFramework', 'targetType'] as const) {
    const value = alignment[key];
    if (value !== undefined) {
      result[key] = value;
    }
  }
  return result;
}

function buildEvidence(evidence: EvidenceInput, index: number): JsonObject {
  const result: JsonObject = { type: ['Evidence'] };
  if (evidence.id !== undefined) {
    assertUrl(`evidence[${index}].id`, evidence.id);
    result.id = evidence.id;
  }
  for (const key of ['name', 'description', 'narrative'] as const) {
    const value = evidence[key];
    if (value !== undefined) {
      result[key] = value;
    }
  }
  return result;
}

function buildStatusListEntry(entry: StatusListEntryInput): JsonObject {
  assertUrl('credentialStatus.statusListCredential', entry.statusListCredential);
  if (!Number.isSafeInteger(entry.statusListIndex) || entry.statusListIndex < 0) {
    throw new RangeError(
      `credentialStatus.statusListIndex must be a non-negative integer, got ${entry.statusListIndex}`,
    );
  }
  const index = String(entry.statusListIndex);
  return {
    id: `${entry.statusListCredential}#${index}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: entry.statusPurpose ?? 'revocation',
    statusListIndex: index,
    statusListCredential: entry.statusListCredential,
  };
}

/** Formats a date as an XML Schema dateTime in UTC without milliseconds, as the VC examples do. */
function toDateTime(date: Date): string {
  if (Number.isNaN(date.getTime())) {
    throw new RangeError('Credential dates must be valid Date values');
  }
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function assertUrl(field: string, value: string): void {
  if (!URL.canParse(value)) {
    throw new TypeError(`${field} must be an absolute URL, got "${value}"`);
  }
}
