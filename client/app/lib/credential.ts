/** Result of POST /credentials/verify, as docs/badges.md describes it. */
export interface CredentialCheck {
  verified: boolean;
  proofValid: boolean;
  revoked: boolean | null;
  expired: boolean;
  notYetValid: boolean;
  issuer: { id: string; name: string | null } | null;
  achievement: {
    id: string | null;
    name: string | null;
    description: string | null;
    criteria: string | null;
    kind: string | null;
    alignments: {
      targetName: string;
      targetUrl: string | null;
      targetCode: string | null;
      targetFramework: string | null;
    }[];
  } | null;
  recipientHashed: boolean;
  issuedAt: string | null;
  expiresAt: string | null;
  problems: { code: string; message: string }[];
}

/** Largest credential JSON the server checks. */
export const MAX_CREDENTIAL_BYTES = 256 * 1024;
/** Largest baked badge image the check accepts. */
export const MAX_BAKED_IMAGE_BYTES = 1024 * 1024;

/**
 * Returns the address of an award's signed credential, relative to the server: as JSON, or baked
 * into the badge's image as PNG or SVG.
 */
export function credentialPath(awardId: string, format: 'json' | 'png' | 'svg' = 'json'): string {
  return `/credentials/awards/${encodeURIComponent(awardId)}.${format}`;
}

/**
 * Returns the format a badge's credential can be baked into, from the content type of its image:
 * the server bakes a PNG into a PNG image and an SVG into an SVG one. Returns null when the image
 * cannot be read.
 */
export async function bakedCredentialFormat(imageUrl: string): Promise<'png' | 'svg' | null> {
  try {
    const response = await fetch(imageUrl, { method: 'HEAD' });
    const contentType = response.ok ? (response.headers.get('content-type') ?? '') : '';
    if (contentType.startsWith('image/png')) {
      return 'png';
    }
    return contentType.startsWith('image/svg+xml') ? 'svg' : null;
  } catch {
    return null;
  }
}

/** Media types that POST /credentials/verify accepts; the server rejects a body without one. */
export type CredentialContentType = 'application/json' | 'image/png' | 'image/svg+xml';

/** Returns the content type to send a chosen file as, from its name, or null when unsupported. */
export function credentialFileType(file: File): CredentialContentType | null {
  const name = file.name.toLowerCase();
  if (name.endsWith('.png') || file.type === 'image/png') {
    return 'image/png';
  }
  if (name.endsWith('.svg') || file.type === 'image/svg+xml') {
    return 'image/svg+xml';
  }
  if (name.endsWith('.json') || file.type === 'application/json') {
    return 'application/json';
  }
  return null;
}

/**
 * Sends a credential to POST /credentials/verify and returns the check, or an error message for
 * a rejected body or an unreachable server.
 */
export async function checkCredential(
  body: string | Blob,
  contentType: CredentialContentType,
): Promise<{ check: CredentialCheck } | { error: string }> {
  let response: Response;
  try {
    response = await fetch('/credentials/verify', {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body,
    });
  } catch {
    return { error: 'Staffroom cannot be reached. Check your connection and try again.' };
  }
  const result = (await response.json().catch(() => null)) as
    | CredentialCheck
    | { error?: string }
    | null;
  if (!response.ok || result === null || !('verified' in result)) {
    const message = result && 'error' in result ? result.error : undefined;
    return { error: message ?? `Checking the credential failed (HTTP ${response.status}).` };
  }
  return { check: result };
}

/** Names an Open Badges achievementType for people. */
export function describeAchievementKind(kind: string | null): string {
  if (kind === 'MicroCredential') {
    return 'Microcredential';
  }
  if (kind === 'Achievement' || kind === null) {
    return 'Badge';
  }
  return kind.replace(/([a-z])([A-Z])/g, '$1 $2');
}
