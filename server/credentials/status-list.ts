import { gunzipSync, gzipSync } from 'node:zlib';
import { CREDENTIALS_V2_CONTEXT_URL } from './document-loader.ts';

/**
 * Minimum length of a status list in bits (16 KiB), which the W3C Bitstring Status List v1.0
 * specification sets so that one entry does not reveal its holder.
 */
export const MIN_STATUS_LIST_BITS = 131_072;

/**
 * A Bitstring Status List: bit `i` is the status of the credential whose `statusListIndex` is `i`,
 * and bit 0 is the most significant bit of the first byte.
 */
export class BitstringStatusList {
  readonly length: number;
  readonly #bytes: Uint8Array;

  private constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.length = bytes.length * 8;
  }

  /** Creates a list with every bit cleared. The length is rounded up to whole bytes. */
  static create(length = MIN_STATUS_LIST_BITS): BitstringStatusList {
    if (!Number.isSafeInteger(length) || length < MIN_STATUS_LIST_BITS) {
      throw new RangeError(
        `A status list needs at least ${MIN_STATUS_LIST_BITS} bits, got ${length}`,
      );
    }
    return new BitstringStatusList(new Uint8Array(Math.ceil(length / 8)));
  }

  /**
   * Decodes an `encodedList` value: multibase base64url (prefix `u`, no padding) of the
   * GZIP-compressed bitstring.
   */
  static decode(encodedList: string): BitstringStatusList {
    if (!encodedList.startsWith('u')) {
      throw new TypeError('encodedList must be multibase base64url and start with "u"');
    }
    const bytes = gunzipSync(Buffer.from(encodedList.slice(1), 'base64url'));
    return new BitstringStatusList(new Uint8Array(bytes));
  }

  /** Encodes the list as the `encodedList` value of a BitstringStatusList credential subject. */
  encode(): string {
    return `u${gzipSync(this.#bytes).toString('base64url')}`;
  }

  /** Returns true when the bit at `index` is set, for instance when that credential is revoked. */
  get(index: number): boolean {
    const [byte, mask] = this.#position(index);
    return ((this.#bytes[byte] ?? 0) & mask) !== 0;
  }

  /** Sets or clears the bit at `index`. */
  set(index: number, value: boolean): void {
    const [byte, mask] = this.#position(index);
    const current = this.#bytes[byte] ?? 0;
    this.#bytes[byte] = value ? current | mask : current & ~mask;
  }

  #position(index: number): [byte: number, mask: number] {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.length) {
      throw new RangeError(`Status list index ${index} is outside 0..${this.length - 1}`);
    }
    return [Math.floor(index / 8), 0x80 >> (index % 8)];
  }
}

/** An unsigned BitstringStatusListCredential, as the W3C Bitstring Status List v1.0 defines it. */
export interface StatusListCredential {
  [key: string]: unknown;
  '@context': string[];
  id: string;
  type: string[];
  issuer: string;
  validFrom: string;
  credentialSubject: {
    id: string;
    type: 'BitstringStatusList';
    statusPurpose: 'revocation' | 'suspension';
    encodedList: string;
  };
}

/**
 * Builds the unsigned status list credential published at `id`. Its terms come from the VC Data
 * Model 2.0 context, which defines BitstringStatusListCredential and BitstringStatusList, so no
 * other context is needed.
 */
export function buildStatusListCredential(input: {
  id: string;
  issuerId: string;
  validFrom: Date;
  statusPurpose: 'revocation' | 'suspension';
  list: BitstringStatusList;
}): StatusListCredential {
  if (!URL.canParse(input.id) || !URL.canParse(input.issuerId)) {
    throw new TypeError(
      `A status list credential needs absolute URLs, got id "${input.id}" and issuer "${input.issuerId}"`,
    );
  }
  return {
    '@context': [CREDENTIALS_V2_CONTEXT_URL],
    id: input.id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: input.issuerId,
    validFrom: input.validFrom.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `${input.id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: input.statusPurpose,
      encodedList: input.list.encode(),
    },
  };
}
