import { createSignal, For, Index, Show } from 'solid-js';
import { type MutationOutcome, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { uploadFile } from '../lib/upload.ts';
import { FormMessage } from './field.tsx';

/** Limits of one revision of evidence, as the server checks them. */
export const MAX_REFLECTION_LENGTH = 10_000;
export const MAX_EVIDENCE_LINKS = 10;
export const MAX_EVIDENCE_FILES = 5;
/** Largest evidence file the server accepts: 10 MB. */
export const MAX_EVIDENCE_FILE_BYTES = 10 * 1024 * 1024;

/** An uploaded file of evidence, as the Upload type returns it. */
export interface EvidenceFileItem {
  id: string;
  fileName: string;
  byteSize: number;
  url: string;
}

/** Initial values of the form: empty for new evidence, the latest revision for a revision. */
export interface EvidenceDraft {
  reflection: string;
  links: string[];
  files: EvidenceFileItem[];
}

const SUBMIT = mutationDocument('submitEvidence', 'SubmitEvidenceInput', 'id status');
const REVISE = mutationDocument('reviseEvidence', 'ReviseEvidenceInput', 'id status');

/** Formats a byte count for people, such as "2.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) {
    return `${bytes} bytes`;
  }
  if (bytes < 1024 * 1024) {
    return `${Math.round(bytes / 1024)} KB`;
  }
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Returns the message of the issue whose path is exactly `path`, such as ['links', '2']. */
function issueAt(outcome: MutationOutcome<unknown> | null, path: string[]): string | undefined {
  return outcome?.issues?.find(
    (issue) =>
      issue.path.length === path.length && issue.path.every((part, index) => part === path[index]),
  )?.message;
}

/**
 * Renders a form that sends evidence for a microcredential, or a new revision of it after a
 * reviewer requested changes. It has a reflection with a character count, a list of links, and
 * files that upload one by one as they are chosen. `idPrefix` keeps the ids of two forms apart.
 */
export function EvidenceForm(props: {
  idPrefix: string;
  /** The badge, to send new evidence. */
  badgeId?: string;
  /** The submission, to send a revision of it. */
  submissionId?: string;
  initial?: EvidenceDraft;
  onSent: () => void;
  onCancel?: () => void;
}) {
  const [reflection, setReflection] = createSignal(props.initial?.reflection ?? '');
  const [links, setLinks] = createSignal<string[]>(props.initial?.links ?? []);
  const [files, setFiles] = createSignal<EvidenceFileItem[]>(props.initial?.files ?? []);
  const [uploading, setUploading] = createSignal('');
  const [uploadShare, setUploadShare] = createSignal(0);
  const [uploadError, setUploadError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);
  // Positions in `links()` of the links last sent, so that an issue on links.N finds its input.
  const [sentLinkPositions, setSentLinkPositions] = createSignal<number[]>([]);
  let addLinkButton: HTMLButtonElement | undefined;
  const id = (name: string) => `${props.idPrefix}-${name}`;
  const revising = () => props.submissionId !== undefined;
  const reflectionLength = () => [...reflection()].length;

  const linkIssue = (position: number) => {
    const sentIndex = sentLinkPositions().indexOf(position);
    return sentIndex === -1 ? undefined : issueAt(outcome(), ['links', String(sentIndex)]);
  };
  const fileIssue = (index: number) => issueAt(outcome(), ['fileIds', String(index)]);
  const formError = () => {
    const current = outcome();
    if (!current?.issues) {
      return current?.message;
    }
    const fieldIssues = current.issues.filter(
      (issue) =>
        issue.path[0] === 'reflection' ||
        (issue.path.length === 2 && (issue.path[0] === 'links' || issue.path[0] === 'fileIds')),
    );
    const otherIssues = current.issues.filter((issue) => !fieldIssues.includes(issue));
    if (otherIssues.length === 0) {
      return 'Check the fields marked above.';
    }
    return otherIssues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join(' ');
  };

  const addLink = () => {
    setLinks([...links(), '']);
    // Solid renders the new input synchronously, so it can take focus at once.
    document.getElementById(id(`link-${links().length - 1}`))?.focus();
  };

  const removeLink = (position: number) => {
    setLinks(links().filter((_, index) => index !== position));
    setSentLinkPositions([]);
    addLinkButton?.focus();
  };

  const chooseFiles = async (input: HTMLInputElement) => {
    const chosen = [...(input.files ?? [])];
    input.value = '';
    setUploadError('');
    const room = MAX_EVIDENCE_FILES - files().length;
    if (chosen.length > room) {
      setUploadError(
        `At most ${MAX_EVIDENCE_FILES} files can be attached; ${room === 0 ? 'remove one first' : `choose at most ${room} more`}.`,
      );
      return;
    }
    const tooLarge = chosen.find((file) => file.size > MAX_EVIDENCE_FILE_BYTES);
    if (tooLarge) {
      setUploadError(
        `${tooLarge.name} is ${formatBytes(tooLarge.size)}; an evidence file may be at most 10 MB.`,
      );
      return;
    }
    for (const file of chosen) {
      setUploading(file.name);
      setUploadShare(0);
      const result = await uploadFile(file, 'EVIDENCE', setUploadShare);
      if (result.data) {
        setFiles([...files(), result.data]);
      } else {
        const issues = result.issues?.map((issue) => issue.message).join(' ');
        setUploadError(`${file.name} was not uploaded: ${issues || result.message}`);
        break;
      }
    }
    setUploading('');
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    if (uploading()) {
      return;
    }
    const positions = links().flatMap((link, index) => (link.trim() ? [index] : []));
    setSentLinkPositions(positions);
    const common = {
      reflection: reflection(),
      links: positions.map((index) => links()[index]?.trim() ?? ''),
      fileIds: files().map((file) => file.id),
    };
    setBusy(true);
    const result = revising()
      ? await runMutation(REVISE, 'reviseEvidence', {
          submissionId: props.submissionId,
          ...common,
        })
      : await runMutation(SUBMIT, 'submitEvidence', { badgeId: props.badgeId, ...common });
    setBusy(false);
    setOutcome(result);
    if (result.data) {
      props.onSent();
      return;
    }
    // Keyboard users land on the first field marked invalid, which Solid has rendered by now.
    form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  };

  return (
    <form class="evidence-form" onSubmit={submit} novalidate aria-busy={busy()}>
      <div class="field" classList={{ invalid: Boolean(issueAt(outcome(), ['reflection'])) }}>
        <label for={id('reflection')}>Reflection</label>
        <p class="hint" id={id('reflection-hint')}>
          What you did, what happened and what you learned, measured against the criteria. Markdown
          works.
        </p>
        <textarea
          id={id('reflection')}
          rows={8}
          required
          maxLength={MAX_REFLECTION_LENGTH}
          value={reflection()}
          onInput={(event) => setReflection(event.currentTarget.value)}
          aria-invalid={issueAt(outcome(), ['reflection']) ? 'true' : undefined}
          aria-describedby={`${id('reflection-hint')} ${id('reflection-count')}${issueAt(outcome(), ['reflection']) ? ` ${id('reflection-error')}` : ''}`}
        />
        <p class="hint" id={id('reflection-count')} data-testid="reflection-count">
          {reflectionLength().toLocaleString()} of {MAX_REFLECTION_LENGTH.toLocaleString()}{' '}
          characters
        </p>
        <Show when={issueAt(outcome(), ['reflection'])}>
          {(message) => (
            <p class="field-error" id={id('reflection-error')}>
              {message()}
            </p>
          )}
        </Show>
      </div>

      <fieldset class="field" classList={{ invalid: Boolean(issueAt(outcome(), ['links'])) }}>
        <legend>Links</legend>
        <p class="hint">
          Pages, videos or documents that show your work: http or https addresses, at most{' '}
          {MAX_EVIDENCE_LINKS}.
        </p>
        <Index each={links()}>
          {(link, position) => (
            <div class="field evidence-link">
              <label for={id(`link-${position}`)}>Link {position + 1}</label>
              <input
                id={id(`link-${position}`)}
                type="url"
                inputmode="url"
                value={link()}
                maxLength={2000}
                placeholder="https://"
                onInput={(event) => {
                  const next = [...links()];
                  next[position] = event.currentTarget.value;
                  setLinks(next);
                }}
                aria-invalid={linkIssue(position) ? 'true' : undefined}
                aria-describedby={linkIssue(position) ? id(`link-${position}-error`) : undefined}
              />
              <button type="button" class="link-button" onClick={() => removeLink(position)}>
                Remove<span class="visually-hidden"> link {position + 1}</span>
              </button>
              <Show when={linkIssue(position)}>
                {(message) => (
                  <p class="field-error" id={id(`link-${position}-error`)}>
                    {message()}
                  </p>
                )}
              </Show>
            </div>
          )}
        </Index>
        <Show when={issueAt(outcome(), ['links'])}>
          {(message) => <p class="field-error">{message()}</p>}
        </Show>
        <button
          type="button"
          class="secondary"
          ref={addLinkButton}
          disabled={links().length >= MAX_EVIDENCE_LINKS}
          onClick={addLink}
        >
          Add a link
        </button>
      </fieldset>

      <fieldset class="field" classList={{ invalid: Boolean(issueAt(outcome(), ['fileIds'])) }}>
        <legend>Files</legend>
        <Show when={files().length > 0}>
          <ul class="rows" aria-label="Attached files">
            <For each={files()}>
              {(file, index) => (
                <li data-testid="evidence-file">
                  <a href={file.url} target="_blank" rel="noopener noreferrer">
                    {file.fileName}
                  </a>{' '}
                  <span class="meta">{formatBytes(file.byteSize)}</span>{' '}
                  <button
                    type="button"
                    class="link-button"
                    onClick={() => setFiles(files().filter((item) => item.id !== file.id))}
                  >
                    Remove<span class="visually-hidden"> {file.fileName}</span>
                  </button>
                  <Show when={fileIssue(index())}>
                    {(message) => <p class="field-error">{message()}</p>}
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <label for={id('files')}>Attach files</label>
        <p class="hint" id={id('files-hint')}>
          PDF, images, plain text, Word, PowerPoint or Excel; up to 10 MB each and{' '}
          {MAX_EVIDENCE_FILES} files in all. Each file uploads as soon as you choose it.
        </p>
        <input
          id={id('files')}
          type="file"
          multiple
          disabled={Boolean(uploading()) || files().length >= MAX_EVIDENCE_FILES}
          aria-describedby={id('files-hint')}
          onChange={(event) => void chooseFiles(event.currentTarget)}
        />
        <Show when={uploading()}>
          <p class="status" role="status">
            <span class="spinner" aria-hidden="true" /> Uploading {uploading()}…
          </p>
          <progress
            max={1}
            value={uploadShare()}
            aria-label={`Upload of ${uploading()}`}
            style={{ width: '100%', 'max-width': '40rem' }}
          />
        </Show>
        <Show when={uploadError()}>
          <p class="field-error" role="alert">
            {uploadError()}
          </p>
        </Show>
        <Show when={issueAt(outcome(), ['fileIds'])}>
          {(message) => <p class="field-error">{message()}</p>}
        </Show>
      </fieldset>

      <FormMessage error={formError()} />
      <div class="actions">
        <button type="submit" disabled={busy() || Boolean(uploading())}>
          {busy() ? 'Sending…' : revising() ? 'Send the revision' : 'Send evidence for review'}
        </button>
        <Show when={props.onCancel}>
          <button type="button" class="secondary" onClick={() => props.onCancel?.()}>
            Cancel
          </button>
        </Show>
      </div>
    </form>
  );
}
