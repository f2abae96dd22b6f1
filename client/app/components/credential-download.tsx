import { A } from '@solidjs/router';
import { createResource, Show } from 'solid-js';
import { bakedCredentialFormat, credentialPath } from '../lib/credential.ts';

/** Returns a file name for a badge's credential download, such as lab-safety-lead-credential.json. */
function downloadName(badgeName: string, extension: string): string {
  const base = badgeName
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'badge'}-credential.${extension}`;
}

/**
 * Links that download the signed Open Badges credential of one of the viewer's own awards, as
 * JSON and, in the format of the badge's image, baked into the image, and that point to the page
 * where anyone can verify it.
 */
export function CredentialDownload(props: {
  awardId: string;
  badgeName: string;
  /** The badge's image address, whose content type decides the baked image's format. */
  imageUrl?: string;
}) {
  const [format] = createResource(() => props.imageUrl, bakedCredentialFormat);
  return (
    <ul class="download-links" aria-label={`Credential of ${props.badgeName}`}>
      <li>
        <a
          href={credentialPath(props.awardId)}
          download={downloadName(props.badgeName, 'json')}
          data-testid="download-credential"
        >
          Download credential (JSON)
        </a>
      </li>
      <Show when={format()}>
        {(extension) => (
          <li>
            <a
              href={credentialPath(props.awardId, extension())}
              download={downloadName(props.badgeName, extension())}
              data-testid="download-baked-credential"
            >
              Badge image with credential ({extension().toUpperCase()})
            </a>
          </li>
        )}
      </Show>
      <li>
        <A href="/verify">Verify a credential</A>
      </li>
    </ul>
  );
}
