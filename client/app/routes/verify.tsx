import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { Field } from '../components/field.tsx';
import {
  type CredentialCheck,
  type CredentialContentType,
  checkCredential,
  credentialFileType,
  describeAchievementKind,
  MAX_BAKED_IMAGE_BYTES,
  MAX_CREDENTIAL_BYTES,
} from '../lib/credential.ts';
import { createDocumentTitle } from '../lib/title.ts';
import './credentials.css';

/** Formats a credential date, such as 2026-03-02T15:00:00Z, as a long local date. */
function formatDate(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? value
    : new Intl.DateTimeFormat(undefined, { dateStyle: 'long' }).format(date);
}

/** Sums up a check in a few words, for the heading and the live region. */
function verdictOf(check: CredentialCheck): string {
  if (check.verified) {
    return 'Valid credential';
  }
  if (!check.proofValid) {
    return 'Not valid: this credential cannot be trusted';
  }
  if (check.revoked) {
    return 'Not valid: revoked by its issuer';
  }
  if (check.expired) {
    return 'Not valid: expired';
  }
  if (check.notYetValid) {
    return 'Not valid yet';
  }
  if (check.problems.some((problem) => problem.code === 'malformed')) {
    return 'Not valid: the credential is malformed';
  }
  return 'Not valid: its status could not be checked';
}

function VerificationResult(props: { check: CredentialCheck }) {
  const achievement = () => props.check.achievement;
  return (
    <article
      class="verdict"
      classList={{ valid: props.check.verified, invalid: !props.check.verified }}
      aria-labelledby="verdict-heading"
      data-testid="verification-result"
    >
      <h2 id="verdict-heading" data-testid="verdict">
        {verdictOf(props.check)}
      </h2>
      <p class="meta">
        <span
          class="tag"
          classList={{ good: props.check.proofValid, bad: !props.check.proofValid }}
        >
          {props.check.proofValid ? 'Signature valid' : 'Signature not valid'}
        </span>
        <Show when={props.check.revoked === true}>
          <span class="tag bad">Revoked</span>
        </Show>
        <Show when={props.check.revoked === false}>
          <span class="tag good">Not revoked</span>
        </Show>
        <Show when={props.check.expired}>
          <span class="tag bad">Expired</span>
        </Show>
        <Show when={props.check.notYetValid}>
          <span class="tag bad">Not valid yet</span>
        </Show>
      </p>
      <Show when={props.check.problems.length > 0}>
        <h3>What is wrong</h3>
        <ul data-testid="problems">
          <For each={props.check.problems}>{(problem) => <li>{problem.message}</li>}</For>
        </ul>
      </Show>

      <h3>{props.check.verified ? 'What it certifies' : 'What it claims to certify'}</h3>
      <Show
        when={achievement()}
        fallback={<p class="empty">The credential names no achievement.</p>}
      >
        {(current) => (
          <dl class="facts">
            <dt>Badge</dt>
            <dd data-testid="achievement-name">
              {current().name ?? 'Unnamed'}{' '}
              <span class="tag subtle">{describeAchievementKind(current().kind)}</span>
            </dd>
            <Show when={current().description}>
              <dt>Description</dt>
              <dd>{current().description}</dd>
            </Show>
            <Show when={current().criteria}>
              <dt>Criteria</dt>
              <dd class="pre-line">{current().criteria}</dd>
            </Show>
            <dt>Issuer</dt>
            <dd data-testid="issuer-name">
              {props.check.issuer?.name ?? 'Not named'}
              <Show when={props.check.issuer?.id}>
                {(id) => <span class="meta break"> ({id()})</span>}
              </Show>
            </dd>
            <Show when={current().alignments.length > 0}>
              <dt>Aligned standards</dt>
              <dd>
                <ul class="plain">
                  <For each={current().alignments}>
                    {(alignment) => (
                      <li>
                        {[alignment.targetCode, alignment.targetName].filter(Boolean).join(' ')}
                        <Show when={alignment.targetFramework}>
                          <span class="meta"> · {alignment.targetFramework}</span>
                        </Show>
                      </li>
                    )}
                  </For>
                </ul>
              </dd>
            </Show>
            <dt>Issued</dt>
            <dd>{props.check.issuedAt ? formatDate(props.check.issuedAt) : 'Not stated'}</dd>
            <dt>Expires</dt>
            <dd>{props.check.expiresAt ? formatDate(props.check.expiresAt) : 'Never'}</dd>
            <dt>Recipient</dt>
            <dd>
              {props.check.recipientHashed
                ? 'Named by a hashed email address, which is not shown.'
                : 'Named without hashing.'}
            </dd>
          </dl>
        )}
      </Show>
    </article>
  );
}

/** Checks a pasted credential, or a .json, .png or .svg file, with the server; no sign-in needed. */
export default function VerifyPage() {
  createDocumentTitle(() => 'Verify a badge credential');
  const [text, setText] = createSignal('');
  const [file, setFile] = createSignal<File | null>(null);
  const [inputError, setInputError] = createSignal('');
  const [error, setError] = createSignal('');
  const [checking, setChecking] = createSignal(false);
  const [check, setCheck] = createSignal<CredentialCheck | null>(null);
  let fileInput: HTMLInputElement | undefined;

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setInputError('');
    setError('');
    setCheck(null);
    const chosen = file();
    let body: string | Blob;
    let contentType: CredentialContentType;
    if (chosen) {
      const type = credentialFileType(chosen);
      if (!type) {
        setInputError('Choose a .json, .png or .svg file.');
        return;
      }
      const json = type === 'application/json';
      if (chosen.size > (json ? MAX_CREDENTIAL_BYTES : MAX_BAKED_IMAGE_BYTES)) {
        setInputError(
          json
            ? 'The file is larger than 256 KB, the maximum the check accepts for JSON.'
            : 'The image is larger than 1 MB, the maximum the check accepts for images.',
        );
        return;
      }
      body = chosen;
      contentType = type;
    } else {
      if (text().trim() === '') {
        setInputError('Paste a credential, or choose a file.');
        return;
      }
      body = text();
      contentType = 'application/json';
    }

    setChecking(true);
    const outcome = await checkCredential(body, contentType);
    setChecking(false);
    if ('error' in outcome) {
      setError(outcome.error);
    } else {
      setCheck(outcome.check);
    }
  };

  const clear = () => {
    setText('');
    setFile(null);
    setInputError('');
    setError('');
    setCheck(null);
    if (fileInput) {
      fileInput.value = '';
    }
  };

  return (
    <section class="verify-page">
      <h1>Verify a badge credential</h1>
      <p class="lead">
        Check an Open Badges credential that Staffroom issued: whether its signature is valid,
        whether it was revoked or has expired, and what it certifies. No sign-in is needed, and
        nothing you check is stored.
      </p>
      <form class="verify-form" onSubmit={submit} noValidate>
        <Field
          label="Credential JSON"
          name="credential"
          multiline
          rows={8}
          spellcheck={false}
          hint="Paste the contents of a downloaded credential .json file."
          value={text()}
          onValue={setText}
          error={file() ? undefined : inputError()}
          disabled={file() !== null}
        />
        <div class="field" classList={{ invalid: Boolean(file() && inputError()) }}>
          <label for="credential-file">Or choose a file</label>
          <p class="hint" id="credential-file-hint">
            A credential .json file (at most 256 KB), or a badge image (.png or .svg, at most 1 MB)
            with the credential baked in.
          </p>
          <input
            id="credential-file"
            type="file"
            accept=".json,.png,.svg,application/json,image/png,image/svg+xml"
            aria-describedby="credential-file-hint"
            ref={fileInput}
            onChange={(event) => {
              setFile(event.currentTarget.files?.[0] ?? null);
              setInputError('');
            }}
          />
          <Show when={file() && inputError()}>
            <p class="field-error">{inputError()}</p>
          </Show>
          <Show when={file() && text().trim() !== ''}>
            <p class="hint" data-testid="file-takes-precedence">
              The chosen file is checked, not the pasted text. Choose Clear to check pasted text.
            </p>
          </Show>
        </div>
        <div class="actions">
          <button type="submit" disabled={checking()}>
            {checking() ? 'Checking…' : 'Verify'}
          </button>
          <button type="button" class="secondary" onClick={clear}>
            Clear
          </button>
        </div>
      </form>

      <div aria-live="polite" data-testid="verify-live">
        <Switch>
          <Match when={checking()}>
            <p class="status">Checking the credential…</p>
          </Match>
          <Match when={error()}>
            <p class="form-error" data-testid="verify-error">
              {error()}
            </p>
          </Match>
          <Match when={check()}>{(current) => <VerificationResult check={current()} />}</Match>
        </Switch>
      </div>
    </section>
  );
}
