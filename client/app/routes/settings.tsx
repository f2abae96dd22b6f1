import { A } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import {
  API_TOKEN_FIELDS,
  type ApiTokenRow,
  ApiTokens,
} from '../components/account-api-tokens.tsx';
import { CalendarFeed } from '../components/account-calendar.tsx';
import { DeleteAccountForm } from '../components/account-delete.tsx';
import {
  EmailStatus,
  PasswordForm,
  type ProfileData,
  ProfileForm,
} from '../components/account-profile.tsx';
import { SIGN_IN_FIELDS, SignInList, type SignInRow } from '../components/account-sign-ins.tsx';
import { BlockedPeople } from '../components/blocked-people.tsx';
import {
  type NotificationDelivery,
  NotificationSettingsForm,
} from '../components/notification-settings.tsx';
import { PdTranscript } from '../components/pd-transcript.tsx';
import { ErrorState, Loading, RefreshError } from '../components/status.tsx';
import { createGraphQLQuery } from '../lib/graphql.ts';
import { signInPath, viewer, viewerLoaded } from '../lib/session.ts';
import { createDocumentTitle } from '../lib/title.ts';

const SETTINGS = `query Settings { viewer {
  id displayName bio email emailVerified hasPassword badgesPublic
  notificationSettings { delivery }
  signIns { ${SIGN_IN_FIELDS} }
  apiTokens { ${API_TOKEN_FIELDS} } } }`;

interface SettingsData {
  viewer:
    | (ProfileData & {
        id: string;
        email: string | null;
        emailVerified: boolean | null;
        hasPassword: boolean | null;
        signIns: SignInRow[] | null;
        apiTokens: ApiTokenRow[] | null;
        notificationSettings: { delivery: NotificationDelivery } | null;
      })
    | null;
}

/** Path of the JSON download of the signed-in person's data. */
const EXPORT_PATH = '/account/export';

export default function Settings() {
  const page = createGraphQLQuery<SettingsData, { viewerId: string }>(SETTINGS, () => {
    const current = viewer();
    return current ? { viewerId: current.id } : false;
  });
  const [deleted, setDeleted] = createSignal(false);
  createDocumentTitle(() => 'Account settings');

  return (
    <Switch>
      <Match when={deleted()}>
        <section class="narrow">
          <h1>Account deleted</h1>
          <p role="status">Your account and its personal data were deleted.</p>
          <p>
            <A href="/">Back to the communities</A>
          </p>
        </section>
      </Match>
      <Match when={viewerLoaded() && !viewer()}>
        <section class="narrow">
          <h1>Account settings</h1>
          <p>
            <A href={signInPath('/settings')}>Sign in</A> to change your account settings.
          </p>
        </section>
      </Match>
      <Match when={!page.data() && page.error()}>
        {(message) => <ErrorState message={message()} onRetry={page.refetch} />}
      </Match>
      <Match when={page.data()?.viewer}>
        {(account) => (
          <article class="settings">
            <RefreshError message={page.error()} onRetry={page.refetch} />
            <h1>Account settings</h1>

            <section aria-labelledby="profile-heading">
              <h2 id="profile-heading">Profile</h2>
              <Show when={account().email}>
                {(email) => (
                  <EmailStatus email={email()} verified={Boolean(account().emailVerified)} />
                )}
              </Show>
              <ProfileForm profile={account()} onSaved={page.refetch} />
            </section>

            <Show when={account().hasPassword}>
              <section aria-labelledby="password-heading">
                <h2 id="password-heading">Password</h2>
                <PasswordForm onChanged={page.refetch} />
              </section>
            </Show>

            <section aria-labelledby="notifications-heading">
              <h2 id="notifications-heading">Notifications</h2>
              <NotificationSettingsForm
                delivery={account().notificationSettings?.delivery ?? 'IN_APP'}
                onSaved={page.refetch}
              />
            </section>

            <section aria-labelledby="sign-ins-heading">
              <h2 id="sign-ins-heading">Where you are signed in</h2>
              <SignInList signIns={account().signIns ?? []} onChanged={page.refetch} />
            </section>

            <section aria-labelledby="tokens-heading">
              <h2 id="tokens-heading">API tokens</h2>
              <p class="hint">
                Personal tokens let scripts use the Staffroom API as you. Send one as{' '}
                <code>Authorization: Bearer &lt;token&gt;</code>.
              </p>
              <ApiTokens tokens={account().apiTokens ?? []} onChanged={page.refetch} />
            </section>

            <section aria-labelledby="blocked-heading">
              <h2 id="blocked-heading">Blocked people</h2>
              <BlockedPeople />
            </section>

            <section aria-labelledby="calendar-heading">
              <h2 id="calendar-heading">Calendar feed</h2>
              <CalendarFeed />
            </section>

            <section aria-labelledby="transcript-heading">
              <h2 id="transcript-heading">Professional development transcript</h2>
              <PdTranscript />
            </section>

            <section aria-labelledby="data-heading">
              <h2 id="data-heading">Your data</h2>
              <p>
                Download everything Staffroom stores about you, such as your profile, memberships
                and posts, as a JSON file.
              </p>
              <p>
                <a href={EXPORT_PATH} class="button-link secondary">
                  Download my data
                </a>
              </p>
            </section>

            <section aria-labelledby="delete-heading">
              <h2 id="delete-heading">Delete account</h2>
              <DeleteAccountForm
                hasPassword={account().hasPassword !== false}
                onDeleted={() => setDeleted(true)}
              />
            </section>
          </article>
        )}
      </Match>
      <Match when={true}>
        <Loading label="Loading your settings…" />
      </Match>
    </Switch>
  );
}
