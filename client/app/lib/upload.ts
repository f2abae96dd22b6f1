import type { MutationOutcome } from './graphql.ts';
import { ERROR_SELECTION } from './operations.ts';

export type UploadPurpose = 'BADGE_IMAGE' | 'EVIDENCE';

export interface UploadedFile {
  id: string;
  fileName: string;
  contentType: string;
  byteSize: number;
  url: string;
}

const UPLOAD_FILE = `mutation UploadFile($input: UploadFileInput!) { uploadFile(input: $input) {
  __typename
  ${ERROR_SELECTION}
  ... on MutationUploadFileSuccess { data { id fileName contentType byteSize url } } } }`;

/** Maximum size of a badge image that the server accepts: 512 KB. */
export const MAX_BADGE_IMAGE_BYTES = 512 * 1024;

/**
 * Checks a badge image in the browser before sending it, by type and size. The server checks the
 * content itself again. Returns a message, or undefined when the file may be sent.
 */
export function checkBadgeImage(file: File): string | undefined {
  const isImage =
    ['image/png', 'image/svg+xml'].includes(file.type) || /\.(png|svg)$/i.test(file.name);
  if (!isImage) {
    return `${file.name} is not a PNG or SVG image.`;
  }
  if (file.size > MAX_BADGE_IMAGE_BYTES) {
    return `${file.name} is ${Math.ceil(file.size / 1024)} KB; a badge image may be at most 512 KB.`;
  }
  return undefined;
}

/**
 * Sends `uploadFile` as a GraphQL multipart request (the operation, a map, then the file part),
 * with the CSRF header that the server requires of multipart requests. Reports the share sent,
 * from 0 to 1, to `onProgress`. Resolves with the outcome as runMutation does, never rejects.
 */
export function uploadFile(
  file: File,
  purpose: UploadPurpose,
  onProgress?: (share: number) => void,
): Promise<MutationOutcome<UploadedFile>> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({ query: UPLOAD_FILE, variables: { input: { file: null, purpose } } }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.append('0', file, file.name);

  // XMLHttpRequest, unlike fetch, reports upload progress.
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/graphql');
    request.setRequestHeader('X-Staffroom-CSRF', '1');
    request.responseType = 'json';
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) {
        onProgress?.(event.loaded / event.total);
      }
    };
    request.onerror = () =>
      resolve({ message: 'Staffroom cannot be reached. Check your connection and try again.' });
    request.onload = () => resolve(outcomeOf(request.status, request.response));
    request.send(form);
  });
}

interface UploadResponse {
  data?: {
    uploadFile?: {
      __typename: string;
      data?: UploadedFile;
      message?: string;
      issues?: { path: string[]; message: string }[];
      retryAfterSeconds?: number;
    };
  };
  errors?: { message: string }[];
}

function outcomeOf(status: number, body: UploadResponse | null): MutationOutcome<UploadedFile> {
  const payload = body?.data?.uploadFile;
  if (!payload) {
    const message = body?.errors?.map((error) => error.message).join(' ');
    return { message: message || `The upload failed with HTTP status ${status}.` };
  }
  if (payload.__typename.endsWith('Success')) {
    return { data: payload.data };
  }
  return {
    typename: payload.__typename,
    // The server words the wait of a rate-limit refusal itself, such as "about 24 hours".
    message: payload.message,
    issues: payload.issues,
    retryAfterSeconds: payload.retryAfterSeconds,
  };
}
