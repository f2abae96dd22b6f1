import { For, Show } from 'solid-js';
import { awardStatusLabel, OWN_AWARDS_ANCHOR } from '../lib/profile.ts';
import { formatLocal } from '../lib/time.ts';
import '../routes/credentials.css';

/** One of the viewer's own awards of a badge, with how it ended when it did. */
export interface OwnAward {
  id: string;
  status: string;
  awardedAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  /** The reason for the revocation; null unless revoked. */
  revokeReason: string | null;
  /** The awarder's note to the viewer; empty when there is none. */
  note: string | null;
}

/**
 * Shows the viewer their own awards of a badge, newest first: whether each is active, revoked or
 * expired, its dates, the awarder's note and the reason for a revocation. Renders nothing when
 * the viewer has never held the badge.
 */
export function OwnAwards(props: { awards: OwnAward[] }) {
  return (
    <Show when={props.awards.length > 0}>
      <section
        id={OWN_AWARDS_ANCHOR}
        aria-labelledby={`${OWN_AWARDS_ANCHOR}-heading`}
        data-testid="own-awards"
      >
        <h2 id={`${OWN_AWARDS_ANCHOR}-heading`}>
          {props.awards.length === 1 ? 'Your award' : 'Your awards'}
        </h2>
        <ul class="rows">
          <For each={props.awards}>
            {(award) => (
              <li data-testid="own-award">
                <span
                  classList={{
                    tag: true,
                    bad: award.status === 'revoked',
                    subtle: award.status === 'expired',
                    good: award.status === 'active',
                  }}
                >
                  {awardStatusLabel(award.status)}
                </span>{' '}
                <span class="meta">
                  awarded {formatLocal(award.awardedAt)}
                  <Show when={award.status === 'revoked' && award.revokedAt}>
                    {(revokedAt) => <> · revoked {formatLocal(revokedAt())}</>}
                  </Show>
                  <Show when={award.status !== 'revoked' && award.expiresAt}>
                    {(expiresAt) => (
                      <>
                        {' '}
                        · {award.status === 'expired' ? 'expired' : 'valid until'}{' '}
                        {formatLocal(expiresAt())}
                      </>
                    )}
                  </Show>
                </span>
                <Show when={award.revokeReason}>
                  {(reason) => (
                    <p class="pre-line" data-testid="own-award-reason">
                      Reason for the revocation: {reason()}
                    </p>
                  )}
                </Show>
                <Show when={award.note}>
                  {(note) => <p class="pre-line meta">Note from the awarder: {note()}</p>}
                </Show>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
