import { createSignal, Show } from 'solid-js';
import { runMutation, runMutationWithVariables } from '../lib/graphql.ts';
import { mutationDocument, mutationDocumentWith } from '../lib/operations.ts';
import { refreshViewer } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';

export interface ProfileData {
  displayName: string;
  bio: string;
  badgesPublic: boolean | null;
}

/** Edits the viewer's display name, bio and whether others see their badges. */
export function ProfileForm(props: { profile: ProfileData; onSaved: () => void }) {
  const [displayName, setDisplayName] = createSignal(props.profile.displayName);
  const [bio, setBio] = createSignal(props.profile.bio);
  const [badgesPublic, setBadgesPublic] = createSignal(props.profile.badgesPublic ?? true);
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(['displayName', 'bio', 'badgesPublic']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const result = await submission.submit(() =>
      runMutation(mutationDocument('updateProfile', 'UpdateProfileInput', 'id'), 'updateProfile', {
        displayName: displayName().trim(),
        bio: bio(),
        badgesPublic: badgesPublic(),
      }),
    );
    if (result.data) {
      setSuccess('Profile saved.');
      props.onSaved();
      // The header shows the display name.
      void refreshViewer();
    }
  };

  return (
    <form onSubmit={submit} novalidate>
      <Field
        label="Display name"
        name="profile-display-name"
        autocomplete="name"
        maxLength={80}
        required
        value={displayName()}
        onValue={setDisplayName}
        error={submission.issue('displayName')}
      />
      <Field
        label="About you"
        name="profile-bio"
        multiline
        rows={3}
        maxLength={2000}
        hint="Up to 2,000 characters."
        value={bio()}
        onValue={setBio}
        error={submission.issue('bio')}
      />
      <div class="field">
        <label class="check">
          <input
            type="checkbox"
            checked={badgesPublic()}
            onChange={(event) => setBadgesPublic(event.currentTarget.checked)}
          />
          Show my badges to others
        </label>
      </div>
      <FormMessage error={submission.formError()} success={success()} />
      <button type="submit" disabled={submission.busy()}>
        {submission.busy() ? 'Saving…' : 'Save profile'}
      </button>
    </form>
  );
}

/** Changes the viewer's password, which ends the account's other sign-ins. */
export function PasswordForm(props: { onChanged: () => void }) {
  const [currentPassword, setCurrentPassword] = createSignal('');
  const [newPassword, setNewPassword] = createSignal('');
  const [success, setSuccess] = createSignal('');
  const submission = createSubmission(['currentPassword', 'newPassword']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const result = await submission.submit(() =>
      runMutation<boolean>(
        mutationDocumentWith('changePassword', { input: 'ChangePasswordInput!' }, ''),
        'changePassword',
        { currentPassword: currentPassword(), newPassword: newPassword() },
      ),
    );
    if (result.data) {
      setCurrentPassword('');
      setNewPassword('');
      setSuccess('Password changed. Your other sign-ins have ended; API tokens keep working.');
      props.onChanged();
    }
  };

  return (
    <form onSubmit={submit} novalidate>
      <Field
        label="Current password"
        name="current-password"
        type="password"
        autocomplete="current-password"
        required
        value={currentPassword()}
        onValue={setCurrentPassword}
        error={submission.issue('currentPassword')}
      />
      <Field
        label="New password"
        name="new-password"
        type="password"
        autocomplete="new-password"
        hint="10 to 256 characters."
        required
        value={newPassword()}
        onValue={setNewPassword}
        error={submission.issue('newPassword')}
      />
      <FormMessage error={submission.formError()} success={success()} />
      <button type="submit" disabled={submission.busy()}>
        {submission.busy() ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

/** Shows whether the viewer's address is confirmed, with a button to mail a new link. */
export function EmailStatus(props: { email: string; verified: boolean }) {
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const [success, setSuccess] = createSignal('');

  const resend = async () => {
    setBusy(true);
    setError('');
    setSuccess('');
    const outcome = await runMutationWithVariables(
      mutationDocumentWith('resendVerificationEmail', {}, ''),
      'resendVerificationEmail',
      {},
    );
    setBusy(false);
    if (outcome.message) {
      setError(outcome.message);
    } else {
      setSuccess(`A new link is on its way to ${props.email}.`);
    }
  };

  return (
    <>
      <p>
        Email: <strong>{props.email}</strong>{' '}
        <Show when={props.verified} fallback={<span class="tag subtle">Not confirmed</span>}>
          <span class="tag good">Confirmed</span>
        </Show>
      </p>
      <Show when={!props.verified}>
        <p class="hint">
          Confirm your address with the link we mailed you. Your district recognizes you only once
          it is confirmed.
        </p>
        <button type="button" class="secondary" disabled={busy()} onClick={() => void resend()}>
          {busy() ? 'Sending…' : 'Send a new link'}
        </button>
      </Show>
      <FormMessage error={error()} success={success()} />
    </>
  );
}
