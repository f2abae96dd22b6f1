import { For, Show } from 'solid-js';
import { createAction, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { formatLocal } from '../lib/time.ts';
import { SingleFieldForm } from './single-field-form.tsx';
import { ActionError, Empty } from './status.tsx';

export interface SchoolRow {
  id: string;
  name: string;
}

export interface DomainRow {
  id: string;
  domain: string;
  verified: boolean;
  verifiedAt: string | null;
  createdAt: string;
}

/** Lists a district's schools with rename and remove, and adds new ones. */
export function DistrictSchools(props: {
  districtId: string;
  schools: SchoolRow[];
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());
  return (
    <>
      <ActionError message={actionError()} />
      <Show when={props.schools.length > 0} fallback={<Empty>No schools yet.</Empty>}>
        <ul class="rows" data-testid="district-schools">
          <For each={props.schools}>
            {(school) => (
              <li>
                <div class="row-with-actions">
                  <strong>{school.name}</strong>
                  <button
                    type="button"
                    class="link-button danger"
                    aria-label={`Remove ${school.name}`}
                    onClick={() =>
                      void act('removeSchool', 'RemoveSchoolInput', { schoolId: school.id })
                    }
                  >
                    Remove
                  </button>
                </div>
                <details class="panel compact">
                  <summary>Rename {school.name}…</summary>
                  <SingleFieldForm
                    label={`New name for ${school.name}`}
                    name={`school-name-${school.id}`}
                    issuePath="name"
                    submitLabel="Rename"
                    initialValue={school.name}
                    run={(name) =>
                      runMutation(
                        mutationDocument('renameSchool', 'RenameSchoolInput', 'id name'),
                        'renameSchool',
                        { schoolId: school.id, name },
                      )
                    }
                    onDone={props.onChanged}
                  />
                </details>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <SingleFieldForm
        label="New school name"
        name="new-school"
        hint="1 to 200 characters. Staff of a removed school stay in the district without a school."
        issuePath="name"
        submitLabel="Add school"
        run={(name) =>
          runMutation(mutationDocument('addSchool', 'AddSchoolInput', 'id'), 'addSchool', {
            districtId: props.districtId,
            name,
          })
        }
        onDone={props.onChanged}
      />
    </>
  );
}

/**
 * Lists a district's claimed email domains and claims new ones. Only platform admins verify a
 * claim, and a platform admin's own claim is verified at once.
 */
export function DistrictDomains(props: {
  districtId: string;
  domains: DomainRow[];
  viewerIsPlatformAdmin: boolean;
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());
  return (
    <>
      <ActionError message={actionError()} />
      <Show when={props.domains.length > 0} fallback={<Empty>No domains claimed yet.</Empty>}>
        <ul class="rows" data-testid="district-domains">
          <For each={props.domains}>
            {(domain) => (
              <li class="row-with-actions">
                <div>
                  <strong>{domain.domain}</strong>
                  <Show
                    when={domain.verified}
                    fallback={<span class="tag subtle">Waiting for verification</span>}
                  >
                    <span class="tag good">Verified</span>
                  </Show>
                  <p class="meta">
                    claimed {formatLocal(domain.createdAt)}
                    <Show when={domain.verifiedAt}>
                      {(at) => <> · verified {formatLocal(at())}</>}
                    </Show>
                  </p>
                </div>
                <div class="actions">
                  <Show when={props.viewerIsPlatformAdmin && !domain.verified}>
                    <button
                      type="button"
                      aria-label={`Verify ${domain.domain}`}
                      onClick={() =>
                        void act('verifyDistrictDomain', 'DistrictDomainIdInput', {
                          domainId: domain.id,
                        })
                      }
                    >
                      Verify
                    </button>
                  </Show>
                  <button
                    type="button"
                    class="secondary"
                    aria-label={`Withdraw ${domain.domain}`}
                    onClick={() =>
                      void act('removeDistrictDomain', 'RemoveDistrictDomainInput', {
                        domainId: domain.id,
                      })
                    }
                  >
                    Withdraw
                  </button>
                </div>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <SingleFieldForm
        label="Domain to claim"
        name="new-domain"
        hint="Such as riverbend.k12.ca.us. People with a confirmed address there become staff once a platform admin verifies the claim; withdrawing a claim keeps existing staff."
        issuePath="domain"
        submitLabel="Claim domain"
        run={(domain) =>
          runMutation(
            mutationDocument('addDistrictDomain', 'AddDistrictDomainInput', 'id'),
            'addDistrictDomain',
            { districtId: props.districtId, domain },
          )
        }
        onDone={props.onChanged}
      />
    </>
  );
}
