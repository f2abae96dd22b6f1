import { createSignal, Show } from 'solid-js';
import { runMutation } from '../lib/graphql.ts';
import { mutationDocumentWith } from '../lib/operations.ts';
import { endOwnSignIn } from '../lib/session.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';

/**
 * Deletes the viewer's account after a confirm step. An account with a password confirms with
 * it, and one that signs in only through single sign-on types its email address instead.
 */
export function DeleteAccountForm(props: { hasPassword: boolean; onDeleted: () => void }) {
  const [open, setOpen] = createSignal(false);
  const [password, setPassword] = createSignal('');
  const [email, setEmail] = createSignal('');
  const [erasePosts, setErasePosts] = createSignal(false);
  const submission = createSubmission(['password', 'email', 'erasePosts']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() =>
      endOwnSignIn(() =>
        runMutation<boolean>(
          mutationDocumentWith('deleteAccount', { input: 'DeleteAccountInput!' }, ''),
          'deleteAccount',
          props.hasPassword
            ? { password: password(), erasePosts: erasePosts() }
            : { email: email().trim(), erasePosts: erasePosts() },
        ),
      ),
    );
    if (result.data) {
      props.onDeleted();
    }
  };

  return (
    <Show
      when={open()}
      fallback={
        <button type="button" class="danger secondary" onClick={() => setOpen(true)}>
          Delete my account…
        </button>
      }
    >
      <form class="panel danger-zone" onSubmit={submit} novalidate>
        <p>
          Deleting your account removes your memberships, sign-ins, API tokens and personal data. It
          cannot be undone. If you own a community that has other members, hand it over first.
        </p>
        <Show
          when={props.hasPassword}
          fallback={
            <Field
              label="Type your email address to confirm"
              name="delete-email"
              type="email"
              autocomplete="email"
              required
              value={email()}
              onValue={setEmail}
              error={submission.issue('email')}
            />
          }
        >
          <Field
            label="Your password"
            name="delete-password"
            type="password"
            autocomplete="current-password"
            required
            value={password()}
            onValue={setPassword}
            error={submission.issue('password')}
          />
        </Show>
        <div class="field">
          <label class="check">
            <input
              type="checkbox"
              checked={erasePosts()}
              onChange={(event) => setErasePosts(event.currentTarget.checked)}
              aria-describedby="erase-posts-hint"
            />
            Also erase my posts
          </label>
          <p class="hint" id="erase-posts-hint">
            Erases the text of your threads, replies and chat messages. Otherwise they stay, shown
            as written by a deleted user.
          </p>
        </div>
        <FormMessage error={submission.formError()} />
        <div class="actions">
          <button type="submit" class="danger" disabled={submission.busy()}>
            {submission.busy() ? 'Deleting…' : 'Delete my account permanently'}
          </button>
          <button type="button" class="secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
        </div>
      </form>
    </Show>
  );
}
