import { createSignal, Show } from 'solid-js';
import { runMutation, runMutationWithVariables } from '../lib/graphql.ts';
import { mutationDocument, mutationDocumentWith } from '../lib/operations.ts';
import { createSubmission } from '../lib/submission.ts';
import { formatLocal } from '../lib/time.ts';
import { Field, FormMessage } from './field.tsx';

export interface SsoSettings {
  issuer: string;
  clientId: string;
  enabled: boolean;
  updatedAt: string;
}

/**
 * Sets up, changes or removes a district's OpenID Connect provider. The stored client secret is
 * never shown, and leaving the field empty keeps it.
 */
export function DistrictSsoForm(props: {
  districtId: string;
  sso: SsoSettings | null;
  onChanged: () => void;
}) {
  const [issuer, setIssuer] = createSignal(props.sso?.issuer ?? '');
  const [clientId, setClientId] = createSignal(props.sso?.clientId ?? '');
  const [clientSecret, setClientSecret] = createSignal('');
  const [enabled, setEnabled] = createSignal(props.sso?.enabled ?? true);
  const [success, setSuccess] = createSignal('');
  const [removeError, setRemoveError] = createSignal('');
  const submission = createSubmission(['issuer', 'clientId', 'clientSecret', 'enabled']);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setSuccess('');
    const result = await submission.submit(() =>
      runMutation(
        mutationDocument('configureDistrictSso', 'ConfigureDistrictSsoInput', 'id'),
        'configureDistrictSso',
        {
          districtId: props.districtId,
          issuer: issuer().trim(),
          clientId: clientId().trim(),
          clientSecret: clientSecret() || null,
          enabled: enabled(),
        },
      ),
    );
    if (result.data) {
      setClientSecret('');
      setSuccess('Single sign-on settings saved.');
      props.onChanged();
    }
  };

  const remove = async () => {
    setRemoveError('');
    setSuccess('');
    const outcome = await runMutationWithVariables(
      mutationDocumentWith('removeDistrictSso', { districtId: 'ID!' }, 'id'),
      'removeDistrictSso',
      { districtId: props.districtId },
    );
    if (outcome.message) {
      setRemoveError(outcome.message);
      return;
    }
    setIssuer('');
    setClientId('');
    setSuccess('Single sign-on removed. Accounts linked to it were unlinked.');
    props.onChanged();
  };

  return (
    <>
      <Show
        when={props.sso}
        fallback={<p>Single sign-on is not set up. Staff sign in with a Staffroom password.</p>}
      >
        {(current) => (
          <p>
            {current().enabled ? 'Staff can sign in through ' : 'Turned off: '}
            <code>{current().issuer}</code>. Last changed {formatLocal(current().updatedAt)}.
          </p>
        )}
      </Show>
      <form onSubmit={submit} novalidate>
        <Field
          label="Issuer URL"
          name="sso-issuer"
          type="url"
          hint="Such as https://accounts.google.com. Changing it unlinks accounts from the old issuer."
          required
          value={issuer()}
          onValue={setIssuer}
          error={submission.issue('issuer')}
        />
        <Field
          label="Client id"
          name="sso-client-id"
          required
          maxLength={500}
          value={clientId()}
          onValue={setClientId}
          error={submission.issue('clientId')}
        />
        <Field
          label="Client secret"
          name="sso-client-secret"
          type="password"
          autocomplete="off"
          hint={
            props.sso
              ? 'Leave empty to keep the stored secret.'
              : 'Required the first time. It is stored encrypted and never shown again.'
          }
          value={clientSecret()}
          onValue={setClientSecret}
          error={submission.issue('clientSecret')}
        />
        <div class="field">
          <label class="check">
            <input
              type="checkbox"
              checked={enabled()}
              onChange={(event) => setEnabled(event.currentTarget.checked)}
            />
            Staff can sign in through this provider
          </label>
        </div>
        <FormMessage error={submission.formError() || removeError()} success={success()} />
        <div class="actions">
          <button type="submit" disabled={submission.busy()}>
            {submission.busy() ? 'Saving…' : 'Save single sign-on'}
          </button>
          <Show when={props.sso}>
            <button type="button" class="danger secondary" onClick={() => void remove()}>
              Remove single sign-on
            </button>
          </Show>
        </div>
      </form>
    </>
  );
}
