import { eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { badgeAwards } from '../../drizzle/tables/index.ts';
import type { JsonObject } from '../credentials/open-badge.ts';
import { issuerIdOf as credentialIssuerId, verifyCredential } from '../credentials/proof.ts';
import { awardIdOfCredentialUrl } from './credential.ts';
import { issuerIdOf, ownKeyResolver } from './credential-issuer.ts';
import { parseStatusListUrl, readOwnStatus } from './credential-status.ts';

/**
 * Why a credential did not verify, as a stable code:
 * - `malformed`: a required part is missing or not of the right type;
 * - `unknown_key`: the proof names a key that this server did not publish;
 * - `invalid_proof`: the signature does not match the credential;
 * - `revoked`: its issuer revoked it;
 * - `expired`: its validUntil has passed;
 * - `not_yet_valid`: its validFrom is in the future;
 * - `status_unchecked`: its revocation status could not be read from this server's records.
 */
export type VerificationProblemCode =
  | 'malformed'
  | 'unknown_key'
  | 'invalid_proof'
  | 'revoked'
  | 'expired'
  | 'not_yet_valid'
  | 'status_unchecked';

export interface VerificationProblem {
  code: VerificationProblemCode;
  /** A sentence for people, saying what is wrong. */
  message: string;
}

/** An alignment of the achievement, as the credential states it. */
export interface VerifiedAlignment {
  targetName: string;
  targetUrl: string | null;
  targetCode: string | null;
  targetFramework: string | null;
}

/**
 * The result of checking a credential, returned by POST /credentials/verify. The fields that
 * describe the credential (issuer, achievement, dates) repeat what it states, checked or not, so
 * a caller must read them together with `verified`.
 */
export interface CredentialCheck {
  /** True when the proof is valid, the credential is not revoked, and now is in its period. */
  verified: boolean;
  /** Whether the signature matches and was made with a key this server published for the issuer. */
  proofValid: boolean;
  /**
   * Whether the issuer revoked it; null when that could not be read, because the proof is not
   * valid or the status list is not one of this server's.
   */
  revoked: boolean | null;
  /** Whether validUntil has passed. */
  expired: boolean;
  /** Whether validFrom is still to come. */
  notYetValid: boolean;
  issuer: { id: string; name: string | null } | null;
  achievement: {
    id: string | null;
    name: string | null;
    description: string | null;
    /** The criteria narrative, or else the criteria's address. */
    criteria: string | null;
    /** The Open Badges achievementType, such as MicroCredential or Achievement. */
    kind: string | null;
    alignments: VerifiedAlignment[];
  } | null;
  /** Whether the recipient is named only by hashed identifiers, as this server's credentials are. */
  recipientHashed: boolean;
  /** validFrom as stated, or null. */
  issuedAt: string | null;
  /** validUntil as stated, or null when it does not expire. */
  expiresAt: string | null;
  /** Every reason it did not verify, in the order checked; empty when verified. */
  problems: VerificationProblem[];
}

/**
 * Checks a credential against this server only: the proof must verify with a key that this
 * server publishes for the issuer (ownKeyResolver), the revocation status is read from this
 * server's own records when the status list address is under PUBLIC_URL, and validFrom and
 * validUntil are compared with `now`. Nothing is fetched from the network: a status list of
 * another host is reported as `status_unchecked`.
 */
export async function checkCredential(
  db: Database,
  publicUrl: string,
  credential: unknown,
  now: Date = new Date(),
): Promise<CredentialCheck> {
  const problems: VerificationProblem[] = [];
  const document = isObject(credential) ? credential : {};
  const summary = describeCredential(document);
  if (!isObject(credential) || !summary.issuer || !isObject(document.credentialSubject)) {
    problems.push({
      code: 'malformed',
      message: 'This is not a credential: it needs an issuer and a credentialSubject.',
    });
    return { ...summary, verified: false, proofValid: false, revoked: null, ...noDates, problems };
  }

  const proofValid = await checkProof(db, publicUrl, document, problems);
  const status = proofValid
    ? await checkStatus(db, publicUrl, document, problems)
    : { revoked: null, expired: false };
  const dates = checkDates(document, now, problems);
  const expired = dates.expired || status.expired;
  if (status.expired && !dates.expired) {
    problems.push({ code: 'expired', message: 'The award behind this credential has expired.' });
  }
  return {
    ...summary,
    verified: proofValid && status.revoked === false && !expired && !dates.notYetValid,
    proofValid,
    revoked: status.revoked,
    expired,
    notYetValid: dates.notYetValid,
    issuedAt: dates.issuedAt,
    expiresAt: dates.expiresAt,
    problems,
  };
}

const noDates = { expired: false, notYetValid: false, issuedAt: null, expiresAt: null };

async function checkProof(
  db: Database,
  publicUrl: string,
  credential: JsonObject,
  problems: VerificationProblem[],
): Promise<boolean> {
  const resolveKey = ownKeyResolver(db, publicUrl);
  let keyMissing = false;
  try {
    const result = await verifyCredential(
      credential as Parameters<typeof verifyCredential>[0],
      async (methodId) => {
        const key = await resolveKey(methodId);
        keyMissing = key === null;
        return key;
      },
    );
    if (result.verified) {
      return true;
    }
    problems.push(
      keyMissing
        ? {
            code: 'unknown_key',
            message: `It was not signed with a key that this site published for the issuer, so this site cannot vouch for it. (${result.errors.join('; ')})`,
          }
        : {
            code: 'invalid_proof',
            message: `The signature does not match: the credential was changed after it was issued, or it was not signed by its issuer. (${result.errors.join('; ')})`,
          },
    );
  } catch (error) {
    // jsonld-signatures throws on input it cannot expand, such as an unknown @context.
    problems.push({
      code: 'invalid_proof',
      message: `The signature could not be checked: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return false;
}

async function checkStatus(
  db: Database,
  publicUrl: string,
  credential: JsonObject,
  problems: VerificationProblem[],
): Promise<{ revoked: boolean | null; expired: boolean }> {
  const entries = [credential.credentialStatus ?? []].flat().filter(isObject);
  const entry = entries.find(
    (candidate) =>
      candidate.type === 'BitstringStatusListEntry' && candidate.statusPurpose === 'revocation',
  );
  if (!entry) {
    return checkStatusByAward(db, publicUrl, credential, problems);
  }

  const listUrl = typeof entry.statusListCredential === 'string' ? entry.statusListCredential : '';
  const list = parseStatusListUrl(publicUrl, listUrl);
  if (!list) {
    const host = URL.canParse(listUrl) ? new URL(listUrl).host : 'an unreadable address';
    problems.push({
      code: 'status_unchecked',
      message: `Whether it was revoked is unknown: its status list is kept at ${host}, which this site does not fetch. Ask its issuer.`,
    });
    return { revoked: null, expired: false };
  }
  const index = typeof entry.statusListIndex === 'string' ? Number(entry.statusListIndex) : NaN;
  const status =
    issuerIdOf(publicUrl, list.kind, list.slug) === credentialIssuerId(credential)
      ? await readOwnStatus(db, list, index)
      : { found: false as const };
  if (!status.found) {
    problems.push({
      code: 'status_unchecked',
      message: 'Whether it was revoked is unknown: its status entry names no award of its issuer.',
    });
    return { revoked: null, expired: false };
  }
  if (status.revoked) {
    problems.push({ code: 'revoked', message: 'The issuer revoked this credential.' });
  }
  return { revoked: status.revoked, expired: status.awardStatus === 'expired' };
}

/** Reads the status of one of this server's awards by the credential's own address. */
async function checkStatusByAward(
  db: Database,
  publicUrl: string,
  credential: JsonObject,
  problems: VerificationProblem[],
): Promise<{ revoked: boolean | null; expired: boolean }> {
  const awardId =
    typeof credential.id === 'string' ? awardIdOfCredentialUrl(publicUrl, credential.id) : null;
  const [award] =
    awardId === null
      ? []
      : await db
          .select({ status: badgeAwards.status })
          .from(badgeAwards)
          .where(eq(badgeAwards.id, awardId));
  if (!award) {
    problems.push({
      code: 'status_unchecked',
      message: 'Whether it was revoked is unknown: it names no revocation status list.',
    });
    return { revoked: null, expired: false };
  }
  if (award.status === 'revoked') {
    problems.push({ code: 'revoked', message: 'The issuer revoked this credential.' });
  }
  return { revoked: award.status === 'revoked', expired: award.status === 'expired' };
}

function checkDates(
  credential: JsonObject,
  now: Date,
  problems: VerificationProblem[],
): { expired: boolean; notYetValid: boolean; issuedAt: string | null; expiresAt: string | null } {
  const issuedAt = typeof credential.validFrom === 'string' ? credential.validFrom : null;
  const expiresAt = typeof credential.validUntil === 'string' ? credential.validUntil : null;
  const from = issuedAt === null ? NaN : Date.parse(issuedAt);
  const until = expiresAt === null ? null : Date.parse(expiresAt);
  if (Number.isNaN(from) || (until !== null && Number.isNaN(until))) {
    problems.push({
      code: 'malformed',
      message: 'Its validFrom or validUntil is missing or not a date and time.',
    });
  }
  const notYetValid = from > now.getTime();
  const expired = until !== null && until <= now.getTime();
  if (notYetValid) {
    problems.push({
      code: 'not_yet_valid',
      message: `It is not valid yet: it becomes valid on ${issuedAt}.`,
    });
  }
  if (expired) {
    problems.push({ code: 'expired', message: `It expired on ${expiresAt}.` });
  }
  return { expired, notYetValid, issuedAt, expiresAt };
}

/** Reads what a credential states about its issuer, achievement and recipient, unchecked. */
function describeCredential(
  credential: JsonObject,
): Pick<CredentialCheck, 'issuer' | 'achievement' | 'recipientHashed'> {
  const issuerId = credentialIssuerId(credential);
  const issuerName = isObject(credential.issuer) ? text(credential.issuer.name) : null;
  const subject = isObject(credential.credentialSubject) ? credential.credentialSubject : {};
  const achievement = isObject(subject.achievement) ? subject.achievement : null;
  const criteria = achievement && isObject(achievement.criteria) ? achievement.criteria : {};
  const identifiers = [subject.identifier ?? []].flat();
  return {
    issuer: issuerId ? { id: issuerId, name: issuerName } : null,
    achievement: achievement && {
      id: text(achievement.id),
      name: text(achievement.name),
      description: text(achievement.description),
      criteria: text(criteria.narrative) ?? text(criteria.id),
      kind: text(achievement.achievementType),
      alignments: [achievement.alignment ?? []]
        .flat()
        .filter(isObject)
        .map((alignment) => ({
          targetName: text(alignment.targetName) ?? '',
          targetUrl: text(alignment.targetUrl),
          targetCode: text(alignment.targetCode),
          targetFramework: text(alignment.targetFramework),
        })),
    },
    recipientHashed:
      subject.id === undefined &&
      identifiers.length > 0 &&
      identifiers.every((identifier) => isObject(identifier) && identifier.hashed === true),
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
