import { encodeGlobalID } from '@pothos/plugin-relay';

/** Returns the path an upload is served at, relative to PUBLIC_URL. */
export function uploadPath(upload: { id: number; fileName: string }): string {
  return `/uploads/${encodeURIComponent(encodeGlobalID('Upload', upload.id))}/${encodeURIComponent(upload.fileName)}`;
}
