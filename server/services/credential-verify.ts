import { eq } from 'drizzle-orm';
import type { Database } from '../../drizzle/db.ts';
import { badgeAwards } from '../../drizzle/tables/index.ts';
import type { JsonObject } from '../credentials/open-badge.ts';
import { issuerIdOf as credentialIssuerId, verifyCredential } from '../credentials/proof.ts';
import type { Logger } from '../log.ts';
import { awardIdOfCredentialUrl } from './credential.ts';
import { credentialFormProblems, credentialLimitExceeded } from './credential-input.ts';
import { issuerIdOf, ownKeyResolver } from './credential-issuer.ts';
import { type AwardState, parseStatusListUrl, readOwnStatus } from './credential-status.ts';

/**
 * Why a credential did not verify, as a stable code:
 * - `malformed`: a required part is missing or not of the right type, the document is past the
 *   size limits of credential-input.ts, or it is not in the plain JSON form this server issues;
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
  /**
   * True when the proof is valid, the credential is not revoked, now is in its period, and no
   * problem of any kind was found.
   */
  verified: boolean;
  /** Whether the signature matches and was made with a key this server published for the issuer. */
  proofValid: boolean;
  /**
   * Whether the issuer revoked it. Null when the status could not be read: the proof is not valid,
   * or the status list is not one of this server's.
   */
  revoked: boolean | null;
  /** Whether validUntil has passed, or the expiry of this server's award behind it. */
  expired: boolean;
  /** Whether validFrom is still to come, or the award date of this server's award behind it. */
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

/** Options of checkCredential. */
export interface CheckCredentialOptions {
  /** The time to check the validity period against; now by default. */
  now?: Date;
  /** Receives, at debug level, the details of a proof that did not verify. */
  log?: Logger;
}

/**
 * Checks a credential against this server only. The proof must verify with a key that this
 * server publishes for the issuer (ownKeyResolver). The revocation status is read from this
 * server's own records when the status list address is under PUBLIC_URL. validFrom and
 * validUntil are compared with `now`, and so are the award's own dates for a credential of this
 * server's award, so a credential whose award has expired is expired whatever it states.
 * Nothing is fetched from the network: a status list of another host is `status_unchecked`.
 * A document past the limits of credentialLimitExceeded is `malformed` before any JSON-LD
 * processing.
 */
export async function checkCredential(
  db: Database,
  publicUrl: string,
  credential: unknown,
  options: CheckCredentialOptions = {},
): Promise<CredentialCheck> {
  const now = options.now ?? new Date();
  const problems: VerificationProblem[] = [];
  const limitExceeded = credentialLimitExceeded(credential);
  if (limitExceeded) {
    problems.push({ code: 'malformed', message: limitExceeded });
    return { ...noSummary, ...notVerified, problems };
  }
  const document = isObject(credential) ? credential : {};
  const summary = describeCredential(document);
  if (!isObject(credential) || !summary.issuer || !isObject(document.credentialSubject)) {
    problems.push({
      code: 'malformed',
      message: 'This is not a credential: it needs an issuer and a credentialSubject.',
    });
    return { ...summary, ...notVerified, problems };
  }
  for (const message of credentialFormProblems(document)) {
    problems.push({ code: 'malformed', message });
  }

  const proofValid = await checkProof(db, publicUrl, document, problems, options.log);
  const status = proofValid
    ? await checkStatus(db, publicUrl, document, problems)
    : { revoked: null, award: null };
  const dates = checkDates(document, status.award, now, problems);
  return {
    ...summary,
    verified:
      problems.length === 0 &&
      proofValid &&
      status.revoked === false &&
      !dates.expired &&
      !dates.notYetValid,
    proofValid,
    revoked: status.revoked,
    ...dates,
    problems,
  };
}

const noSummary = { issuer: null, achievement: null, recipientHashed: false };
const notVerified = {
  verified: false,
  proofValid: false,
  revoked: null,
  expired: false,
  notYetValid: false,
  issuedAt: null,
  expiresAt: null,
};

/** Result of the revocation check: the revocation state and the award behind the credential. */
interface StatusResult {
  revoked: boolean | null;
  /** This server's award that the credential is of, or null when none was found. */
  award: AwardState | null;
}

async function checkProof(
  db: Database,
  publicUrl: string,
  credential: JsonObject,
  problems: VerificationProblem[],
  log: Logger | undefined,
): Promise<boolean> {
  const resolveKey = ownKeyResolver(db, publicUrl);
  const issuerId = credentialIssuerId(credential);
  let keyUnknown = false;
  let errors: string[];
  try {
    const result = await verifyCredential(
      credential as Parameters<typeof verifyCredential>[0],
      async (methodId) => {
        const key = await resolveKey(methodId);
        // A key this server publishes for another issuer is not a key of this issuer.
        keyUnknown = key === null || key.controller !== issuerId;
        return keyUnknown ? null : key;
      },
    );
    if (result.verified) {
      return true;
    }
    errors = result.errors;
  } catch (error) {
    // jsonld-signatures may throw on input it cannot expand, instead of returning an error.
    errors = [error instanceof Error ? error.message : String(error)];
  }
  log?.debug({ credentialId: credential.id, errors }, 'Credential proof did not verify');
  problems.push(
    keyUnknown
      ? {
          code: 'unknown_key',
          message:
            'It was not signed with a key that this site published for its issuer, so this site cannot vouch for it.',
        }
      : { code: 'invalid_proof', message: describeProofErrors(errors) },
  );
  return false;
}

/**
 * Turns the messages of jsonld-signatures and jsonld (version 8 of each) into one sentence for
 * people. Their own messages speak of safe mode, dereferencing and proof purposes, so they are
 * logged at debug level and never sent.
 */
function describeProofErrors(errors: string[]): string {
  const all = errors.join('\n');
  if (/Dereferencing a URL|Document loader rejected|loading remote context/i.test(all)) {
    return 'Its signature cannot be checked: its @context names a document other than the W3C Verifiable Credentials 2.0 and Open Badges 3.0 contexts.';
  }
  if (/Safe mode validation/i.test(all)) {
    return 'Its signature cannot be checked: it uses a property or type that its @context does not define, so the credential was changed after it was issued.';
  }
  if (/exactly one proof|no verificationMethod|insufficient proofs matched/i.test(all)) {
    return 'It does not carry exactly one eddsa-rdfc-2022 Data Integrity proof for assertion, so it cannot be checked.';
  }
  return 'The signature does not match: the credential was changed after it was issued, or it was not signed by its issuer.';
}

async function checkStatus(
  db: Database,
  publicUrl: string,
  credential: JsonObject,
  problems: VerificationProblem[],
): Promise<StatusResult> {
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
    return { revoked: null, award: null };
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
    return { revoked: null, award: null };
  }
  if (status.award.status === 'revoked') {
    problems.push({ code: 'revoked', message: 'The issuer revoked this credential.' });
  }
  return { revoked: status.award.status === 'revoked', award: status.award };
}

/** Reads the status of one of this server's awards by the credential's own address. */
async function checkStatusByAward(
  db: Database,
  publicUrl: string,
  credential: JsonObject,
  problems: VerificationProblem[],
): Promise<StatusResult> {
  const awardId =
    typeof credential.id === 'string' ? awardIdOfCredentialUrl(publicUrl, credential.id) : null;
  const [award] =
    awardId === null
      ? []
      : await db
          .select({
            status: badgeAwards.status,
            awardedAt: badgeAwards.awardedAt,
            expiresAt: badgeAwards.expiresAt,
          })
          .from(badgeAwards)
          .where(eq(badgeAwards.id, awardId));
  if (!award) {
    problems.push({
      code: 'status_unchecked',
      message: 'Whether it was revoked is unknown: it names no revocation status list.',
    });
    return { revoked: null, award: null };
  }
  if (award.status === 'revoked') {
    problems.push({ code: 'revoked', message: 'The issuer revoked this credential.' });
  }
  return { revoked: award.status === 'revoked', award };
}

/**
 * Compares the validity period with `now`: the one the credential states and, for this server's
 * award, the award's own, so that a credential counts as expired when either has ended.
 */
function checkDates(
  credential: JsonObject,
  award: AwardState | null,
  now: Date,
  problems: VerificationProblem[],
): Pick<CredentialCheck, 'expired' | 'notYetValid' | 'issuedAt' | 'expiresAt'> {
  const issuedAt = typeof credential.validFrom === 'string' ? credential.validFrom : null;
  const expiresAt = typeof credential.validUntil === 'string' ? credential.validUntil : null;
  const from = issuedAt === null ? NaN : Date.parse(issuedAt);
  const until = expiresAt === null ? null : Date.parse(expiresAt);
  // A validFrom or validUntil that is not a string was reported by credentialFormProblems.
  const fromUnreadable =
    credential.validFrom === undefined || (issuedAt !== null && Number.isNaN(from));
  if (fromUnreadable || (until !== null && Number.isNaN(until))) {
    problems.push({
      code: 'malformed',
      message: 'Its validFrom or validUntil is missing or not a date and time.',
    });
  }

  const awardFrom = award ? Date.parse(award.awardedAt) : NaN;
  const awardUntil = award?.expiresAt ? Date.parse(award.expiresAt) : NaN;
  const statedNotYetValid = from > now.getTime();
  const awardNotYetValid = awardFrom > now.getTime();
  const statedExpired = until !== null && until <= now.getTime();
  const awardExpired = award?.status === 'expired' || awardUntil <= now.getTime();
  if (statedNotYetValid) {
    problems.push({
      code: 'not_yet_valid',
      message: `It is not valid yet: it becomes valid on ${issuedAt}.`,
    });
  } else if (awardNotYetValid) {
    problems.push({
      code: 'not_yet_valid',
      message: `It is not valid yet: the award behind it is dated ${new Date(awardFrom).toISOString()}.`,
    });
  }
  if (statedExpired) {
    problems.push({ code: 'expired', message: `It expired on ${expiresAt}.` });
  } else if (awardExpired) {
    problems.push({ code: 'expired', message: 'The award behind this credential has expired.' });
  }
  return {
    expired: statedExpired || awardExpired,
    notYetValid: statedNotYetValid || awardNotYetValid,
    issuedAt,
    expiresAt,
  };
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
