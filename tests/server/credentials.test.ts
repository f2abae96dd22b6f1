/**
 * Open Badges 3.0 credentials: built credentials validate against the official 1EdTech JSON
 * Schema, eddsa-rdfc-2022 proofs verify and break when any signed field changes, and the JSON-LD
 * document loader serves only bundled contexts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Ajv2019 from 'ajv/dist/2019.js';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  CREDENTIALS_V2_CONTEXT_URL,
  MULTIKEY_CONTEXT_URL,
  OPEN_BADGES_CONTEXT_URL,
  staticDocumentLoader,
} from '../../server/credentials/document-loader.ts';
import {
  generateIssuerKey,
  type MultikeyDocument,
  publicMultikey,
} from '../../server/credentials/keys.ts';
import {
  buildOpenBadgeCredential,
  hashEmailIdentity,
  type JsonObject,
  type OpenBadgeCredential,
  type OpenBadgeCredentialInput,
} from '../../server/credentials/open-badge.ts';
import {
  type ResolveKey,
  signCredential,
  verifyCredential,
} from '../../server/credentials/proof.ts';
import {
  BitstringStatusList,
  buildStatusListCredential,
  MIN_STATUS_LIST_BITS,
} from '../../server/credentials/status-list.ts';
import { requireServicesStrictly } from '../helpers/services.ts';

// The official schema is published by 1EdTech in 1EdTech/openbadges-specification and kept beside
// the repository so the test runs without network access.
const SCHEMA_DIR = resolve(
  process.env.OPEN_BADGES_SCHEMA_DIR ??
    join(import.meta.dirname, '../../../shared/testdata/openbadges-3.0'),
);
const SCHEMA_FILE = join(SCHEMA_DIR, 'achievementcredential.json');
const schemaMissing = !existsSync(SCHEMA_FILE);
const SCHEMA_MISSING_REASON = `Open Badges 3.0 JSON Schema not found: ${SCHEMA_FILE} is missing (set OPEN_BADGES_SCHEMA_DIR to the folder that contains achievementcredential.json)`;
if (schemaMissing && !requireServicesStrictly()) {
  console.warn(`Skipping the schema test: ${SCHEMA_MISSING_REASON}`);
}

const ISSUER_ID = 'https://staffroom.example/issuers/lincoln-district';
const OTHER_ISSUER_ID = 'https://staffroom.example/issuers/other-district';

function credentialInput(): OpenBadgeCredentialInput {
  return {
    id: 'https://staffroom.example/credentials/8d7c2f4e',
    issuer: { id: ISSUER_ID, name: 'Lincoln District Educators', url: 'https://staffroom.example' },
    validFrom: new Date('2026-03-01T12:00:00.000Z'),
    validUntil: new Date('2029-03-01T12:00:00.000Z'),
    recipient: { email: 'Ada.Teacher@school.example', salt: 'b5f0e1c2a3d4' },
    achievement: {
      id: 'https://staffroom.example/badges/digital-citizenship',
      name: 'Digital Citizenship Mentor',
      description: 'Led a term-long community of practice on digital citizenship.',
      criteriaNarrative: 'Facilitate six live sessions and publish two classroom resources.',
      achievementType: 'Badge',
      alignments: [
        {
          targetName: 'Citizen',
          targetUrl: 'https://iste.org/standards/educators#citizen',
          targetCode: '2.3',
          targetFramework: 'ISTE Standards for Educators',
          targetType: 'CFItem',
        },
      ],
    },
    evidence: [
      {
        id: 'https://staffroom.example/communities/digital-citizenship/resources/42',
        name: 'Media literacy lesson plan',
      },
    ],
    credentialStatus: {
      statusListCredential: 'https://staffroom.example/status/revocation/1',
      statusListIndex: 94567,
    },
  };
}

function keyResolver(...keys: MultikeyDocument[]): ResolveKey {
  const published = new Map(keys.map((key) => [key.id, publicMultikey(key)]));
  return async (id) => published.get(id) ?? null;
}

function subjectOf(credential: OpenBadgeCredential): JsonObject {
  return credential.credentialSubject;
}

function achievementOf(credential: OpenBadgeCredential): JsonObject {
  return subjectOf(credential).achievement as JsonObject;
}

function identifierOf(credential: OpenBadgeCredential): JsonObject {
  return (subjectOf(credential).identifier as JsonObject[])[0] as JsonObject;
}

function proofOf(credential: OpenBadgeCredential): JsonObject | undefined {
  return [credential.proof ?? []].flat()[0];
}

function alignmentOf(credential: OpenBadgeCredential): JsonObject {
  return (achievementOf(credential).alignment as JsonObject[])[0] as JsonObject;
}

describe('Open Badges credential', () => {
  test('contains the Open Badges 3.0 fields', () => {
    const credential = buildOpenBadgeCredential(credentialInput());

    expect(credential['@context']).toEqual([CREDENTIALS_V2_CONTEXT_URL, OPEN_BADGES_CONTEXT_URL]);
    expect(credential.type).toEqual(['VerifiableCredential', 'OpenBadgeCredential']);
    expect(credential.issuer).toEqual({
      id: ISSUER_ID,
      type: ['Profile'],
      name: 'Lincoln District Educators',
      url: 'https://staffroom.example',
    });
    expect(credential.validFrom).toBe('2026-03-01T12:00:00Z');
    expect(credential.validUntil).toBe('2029-03-01T12:00:00Z');
    expect(subjectOf(credential).type).toEqual(['AchievementSubject']);
    expect(identifierOf(credential)).toEqual({
      type: 'IdentityObject',
      identityType: 'emailAddress',
      hashed: true,
      identityHash: hashEmailIdentity('ada.teacher@school.example', 'b5f0e1c2a3d4'),
      salt: 'b5f0e1c2a3d4',
    });
    expect(achievementOf(credential).criteria).toEqual({
      narrative: 'Facilitate six live sessions and publish two classroom resources.',
    });
    expect(alignmentOf(credential)).toEqual({
      type: ['Alignment'],
      targetName: 'Citizen',
      targetUrl: 'https://iste.org/standards/educators#citizen',
      targetCode: '2.3',
      targetFramework: 'ISTE Standards for Educators',
      targetType: 'CFItem',
    });
    expect(credential.evidence).toEqual([
      {
        id: 'https://staffroom.example/communities/digital-citizenship/resources/42',
        type: ['Evidence'],
        name: 'Media literacy lesson plan',
      },
    ]);
    expect(credential.credentialStatus).toEqual({
      id: 'https://staffroom.example/status/revocation/1#94567',
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: '94567',
      statusListCredential: 'https://staffroom.example/status/revocation/1',
    });
  });

  test('identity hash is salted SHA-256', () => {
    const hash = hashEmailIdentity('ada@school.example', 'salt');

    expect(hash).toBe(
      // printf '%s' 'ada@school.examplesalt' | sha256sum
      'sha256$89f377d5e06fa1c0b7f4a9c99d5ae7e76c31f6c212ef0be94945dca09eeb2bdc',
    );
    expect(hashEmailIdentity('ada@school.example', 'other')).not.toBe(hash);
  });

  test('random salt when none is given', () => {
    const input = credentialInput();
    delete input.recipient.salt;

    const first = identifierOf(buildOpenBadgeCredential(input));
    const second = identifierOf(buildOpenBadgeCredential(input));

    expect(first.salt).toMatch(/^[0-9a-f]{32}$/);
    expect(first.salt).not.toBe(second.salt);
    expect(first.identityHash).toBe(hashEmailIdentity(input.recipient.email, first.salt as string));
  });

  test('invalid input is rejected', () => {
    const badUrl = credentialInput();
    badUrl.achievement.id = 'digital-citizenship';
    const badDates = credentialInput();
    badDates.validUntil = new Date('2025-01-01T00:00:00Z');
    const badIndex = credentialInput();
    badIndex.credentialStatus = {
      statusListCredential: 'https://s.example/1',
      statusListIndex: -1,
    };

    expect(() => buildOpenBadgeCredential(badUrl)).toThrow(
      /achievement\.id must be an absolute URL/,
    );
    expect(() => buildOpenBadgeCredential(badDates)).toThrow(
      /validUntil .* must be after validFrom/,
    );
    expect(() => buildOpenBadgeCredential(badIndex)).toThrow(
      /statusListIndex must be a non-negative/,
    );
  });

  test.skipIf(schemaMissing && !requireServicesStrictly())(
    'validates against the official JSON Schema',
    async () => {
      if (schemaMissing) {
        throw new Error(
          `STAFFROOM_REQUIRE_SERVICES=1 requires the schema: ${SCHEMA_MISSING_REASON}`,
        );
      }
      const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2019-09/schema#');
      const ajv = new Ajv2019({ allErrors: true, strict: false });
      addFormats(ajv);
      const validate = ajv.compile(schema);
      const key = await generateIssuerKey(ISSUER_ID);
      const unsigned = buildOpenBadgeCredential(credentialInput());
      const signed = await signCredential(unsigned, key);
      const { issuer: _issuer, ...withoutIssuer } = unsigned;

      const results = [unsigned, signed].map((credential) => ({
        valid: validate(credential),
        errors: validate.errors,
      }));
      const invalid = validate(withoutIssuer);

      expect(results[0]).toEqual({ valid: true, errors: null });
      expect(results[1]).toEqual({ valid: true, errors: null });
      expect(invalid).toBe(false);
    },
  );
});

describe('credential proof', () => {
  let key: MultikeyDocument;
  let signed: OpenBadgeCredential;

  beforeAll(async () => {
    key = await generateIssuerKey(ISSUER_ID);
    signed = await signCredential(buildOpenBadgeCredential(credentialInput()), key);
  });

  test('issuer key is an exported Multikey', () => {
    expect(key['@context']).toBe(MULTIKEY_CONTEXT_URL);
    expect(key.type).toBe('Multikey');
    expect(key.id).toBe(`${ISSUER_ID}#key-1`);
    expect(key.controller).toBe(ISSUER_ID);
    expect(key.publicKeyMultibase).toMatch(/^z6Mk/);
    expect(key.secretKeyMultibase).toMatch(/^z/);
    expect(publicMultikey(key).secretKeyMultibase).toBeUndefined();
  });

  test('sign adds a DataIntegrityProof', () => {
    expect(Array.isArray(signed.proof)).toBe(true);
    expect(proofOf(signed)).toMatchObject({
      type: 'DataIntegrityProof',
      cryptosuite: 'eddsa-rdfc-2022',
      proofPurpose: 'assertionMethod',
      verificationMethod: key.id,
    });
    expect(proofOf(signed)?.proofValue).toMatch(/^z/);
  });

  test('signed credential verifies', async () => {
    const result = await verifyCredential(signed, keyResolver(key));

    expect(result).toEqual({ verified: true, errors: [] });
  });

  test.each([
    [
      'credential name',
      (credential: OpenBadgeCredential) => {
        credential.name = 'Other badge';
      },
    ],
    [
      'achievement name',
      (credential: OpenBadgeCredential) => {
        achievementOf(credential).name = 'Other badge';
      },
    ],
    [
      'recipient hash',
      (credential: OpenBadgeCredential) => {
        identifierOf(credential).identityHash = hashEmailIdentity(
          'eve@school.example',
          'b5f0e1c2a3d4',
        );
      },
    ],
    [
      'recipient salt',
      (credential: OpenBadgeCredential) => {
        identifierOf(credential).salt = 'other-salt';
      },
    ],
    [
      'validFrom',
      (credential: OpenBadgeCredential) => {
        credential.validFrom = '2026-03-02T12:00:00Z';
      },
    ],
    [
      'validUntil removed',
      (credential: OpenBadgeCredential) => {
        delete credential.validUntil;
      },
    ],
    [
      'alignment code',
      (credential: OpenBadgeCredential) => {
        alignmentOf(credential).targetCode = '2.4';
      },
    ],
    [
      'alignment URL',
      (credential: OpenBadgeCredential) => {
        alignmentOf(credential).targetUrl = 'https://iste.org/standards/educators#leader';
      },
    ],
    [
      'issuer name',
      (credential: OpenBadgeCredential) => {
        credential.issuer.name = 'Other District';
      },
    ],
    [
      'status index',
      (credential: OpenBadgeCredential) => {
        (credential.credentialStatus as JsonObject).statusListIndex = '1';
      },
    ],
  ])('changed %s fails verification', async (_field, change) => {
    const tampered = structuredClone(signed);
    change(tampered);

    const result = await verifyCredential(tampered, keyResolver(key));

    expect(result.verified).toBe(false);
    expect(result.errors).toContain('Invalid signature.');
  });

  test('proof from another key fails', async () => {
    const impostor = await generateIssuerKey(ISSUER_ID);
    const forged = await signCredential(buildOpenBadgeCredential(credentialInput()), impostor);

    const result = await verifyCredential(forged, keyResolver(key));

    expect(proofOf(forged)?.verificationMethod).toBe(key.id);
    expect(result.verified).toBe(false);
    expect(result.errors).toContain('Invalid signature.');
  });

  test("another issuer's key fails", async () => {
    const otherKey = await generateIssuerKey(OTHER_ISSUER_ID);
    const otherInput = credentialInput();
    otherInput.issuer.id = OTHER_ISSUER_ID;
    const otherSigned = await signCredential(buildOpenBadgeCredential(otherInput), otherKey);
    const moved = { ...structuredClone(signed), proof: otherSigned.proof };

    const result = await verifyCredential(moved, keyResolver(key, otherKey));

    expect(result.verified).toBe(false);
    expect(result.errors).toEqual([
      `Verification method ${otherKey.id} is controlled by ${OTHER_ISSUER_ID}, not by the issuer ${ISSUER_ID}`,
    ]);
    await expect(
      signCredential(buildOpenBadgeCredential(credentialInput()), otherKey),
    ).rejects.toThrow(/not by the credential issuer/);
  });

  test('unknown verification method fails', async () => {
    const result = await verifyCredential(signed, keyResolver());

    expect(result).toEqual({
      verified: false,
      errors: [`Verification method ${key.id} not found`],
    });
  });

  test('second proof fails', async () => {
    const otherKey = await generateIssuerKey(ISSUER_ID, 'key-2');
    const second = await signCredential(signed, otherKey);
    const doubled = { ...signed, proof: [proofOf(signed), proofOf(second)] as JsonObject[] };

    const result = await verifyCredential(doubled, keyResolver(key, otherKey));

    expect(proofOf(second)?.verificationMethod).toBe(`${ISSUER_ID}#key-2`);
    expect(result.verified).toBe(false);
    expect(result.errors).toEqual(['The credential must have exactly one proof, found 2']);
  });

  test('missing proof fails', async () => {
    const unsigned = structuredClone(signed);
    delete unsigned.proof;

    const result = await verifyCredential(unsigned, keyResolver(key));

    expect(result.verified).toBe(false);
    expect(result.errors).toEqual(['The credential must have exactly one proof, found 0']);
  });
});

describe('document loader', () => {
  test('serves the bundled contexts', async () => {
    for (const url of [CREDENTIALS_V2_CONTEXT_URL, OPEN_BADGES_CONTEXT_URL, MULTIKEY_CONTEXT_URL]) {
      const loaded = await staticDocumentLoader(url);

      expect(loaded.documentUrl).toBe(url);
      expect(loaded.document).toHaveProperty('@context');
    }
  });

  test('rejects an unknown URL', async () => {
    await expect(staticDocumentLoader('https://contexts.example/badge.jsonld')).rejects.toThrow(
      /Document loader rejected https:\/\/contexts\.example\/badge\.jsonld/,
    );
  });

  test('signing rejects an unknown context', async () => {
    const key = await generateIssuerKey(ISSUER_ID);
    const credential = buildOpenBadgeCredential(credentialInput());
    credential['@context'].push('https://contexts.example/badge.jsonld');

    await expect(signCredential(credential, key)).rejects.toThrow(
      /https:\/\/contexts\.example\/badge\.jsonld/,
    );
  });
});

describe('bitstring status list', () => {
  test('revoked bit survives encoding', () => {
    const list = BitstringStatusList.create();
    list.set(94567, true);
    list.set(0, true);
    list.set(0, false);

    const decoded = BitstringStatusList.decode(list.encode());

    expect(list.encode()).toMatch(/^u[A-Za-z0-9_-]+$/);
    expect(decoded.length).toBe(MIN_STATUS_LIST_BITS);
    expect(decoded.get(94567)).toBe(true);
    expect(decoded.get(94566)).toBe(false);
    expect(decoded.get(0)).toBe(false);
  });

  test('bit 0 is the leftmost bit', () => {
    const list = BitstringStatusList.create();
    list.set(0, true);
    list.set(9, true);

    const bytes = gunzipSync(Buffer.from(list.encode().slice(1), 'base64url'));

    expect(bytes.length).toBe(MIN_STATUS_LIST_BITS / 8);
    expect(bytes[0]).toBe(0b1000_0000);
    expect(bytes[1]).toBe(0b0100_0000);
  });

  test('index out of range is rejected', () => {
    const list = BitstringStatusList.create();

    expect(() => list.set(MIN_STATUS_LIST_BITS, true)).toThrow(/outside 0\.\.131071/);
    expect(() => list.get(-1)).toThrow(/outside/);
    expect(() => BitstringStatusList.create(8)).toThrow(/at least 131072 bits/);
  });
});

describe('status list credential', () => {
  const LIST_ID = 'https://staffroom.example/credentials/status/communities/lincoln/0';

  function statusList(revoked: number[]) {
    const list = BitstringStatusList.create();
    for (const index of revoked) {
      list.set(index, true);
    }
    return buildStatusListCredential({
      id: LIST_ID,
      issuerId: ISSUER_ID,
      validFrom: new Date('2026-03-01T12:00:00.500Z'),
      statusPurpose: 'revocation',
      list,
    });
  }

  test('contains the Bitstring Status List fields', () => {
    const credential = statusList([94567]);

    expect(credential).toMatchObject({
      '@context': [CREDENTIALS_V2_CONTEXT_URL],
      id: LIST_ID,
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: ISSUER_ID,
      validFrom: '2026-03-01T12:00:00Z',
      credentialSubject: {
        id: `${LIST_ID}#list`,
        type: 'BitstringStatusList',
        statusPurpose: 'revocation',
      },
    });
    expect(BitstringStatusList.decode(credential.credentialSubject.encodedList).get(94567)).toBe(
      true,
    );
  });

  test('signs and verifies with the proof code', async () => {
    const key = await generateIssuerKey(ISSUER_ID);
    const signed = await signCredential(statusList([3]), key);
    const flipped = structuredClone(signed);
    flipped.credentialSubject.encodedList = statusList([4]).credentialSubject.encodedList;

    const result = await verifyCredential(signed, keyResolver(key));
    const tampered = await verifyCredential(flipped, keyResolver(key));

    expect(result).toEqual({ verified: true, errors: [] });
    expect(tampered.verified).toBe(false);
    expect(tampered.errors).toContain('Invalid signature.');
  });

  test('relative addresses are rejected', () => {
    expect(() =>
      buildStatusListCredential({
        id: '/credentials/status/communities/lincoln/0',
        issuerId: ISSUER_ID,
        validFrom: new Date(),
        statusPurpose: 'revocation',
        list: BitstringStatusList.create(),
      }),
    ).toThrow(/needs absolute URLs/);
  });
});

describe('evidence', () => {
  test('narrative evidence needs no address', async () => {
    const input = credentialInput();
    input.evidence = [{ name: 'Badge rule', narrative: 'Attended 3 live sessions.' }];
    const key = await generateIssuerKey(ISSUER_ID);

    const credential = buildOpenBadgeCredential(input);
    const signed = await signCredential(credential, key);

    expect(credential.evidence).toEqual([
      { type: ['Evidence'], name: 'Badge rule', narrative: 'Attended 3 live sessions.' },
    ]);
    expect(await verifyCredential(signed, keyResolver(key))).toEqual({
      verified: true,
      errors: [],
    });
  });
});
