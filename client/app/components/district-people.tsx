import { For, Show } from 'solid-js';
import { createAction, runMutation } from '../lib/graphql.ts';
import { mutationDocument } from '../lib/operations.ts';
import { SingleFieldForm } from './single-field-form.tsx';
import { ActionError, Empty } from './status.tsx';

export interface DistrictPerson {
  id: string;
  displayName: string;
  email: string | null;
  school: { name: string } | null;
}

/** Lists a district's admins with remove buttons, and adds an admin by account email. */
export function DistrictAdmins(props: {
  districtId: string;
  admins: DistrictPerson[];
  viewerId: string | undefined;
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());
  return (
    <>
      <ActionError message={actionError()} />
      <Show when={props.admins.length > 0} fallback={<Empty>The district has no admins.</Empty>}>
        <ul class="rows" data-testid="district-admins">
          <For each={props.admins}>
            {(admin) => (
              <li class="row-with-actions">
                <div>
                  <strong>{admin.displayName}</strong>
                  <Show when={admin.id === props.viewerId}>
                    <span class="tag subtle">You</span>
                  </Show>
                  <Show when={admin.email}>
                    <p class="meta">{admin.email}</p>
                  </Show>
                </div>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Remove ${admin.displayName} as admin`}
                  onClick={() =>
                    void act('removeDistrictAdmin', 'DistrictPersonInput', {
                      districtId: props.districtId,
                      userId: admin.id,
                    })
                  }
                >
                  Remove as admin
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <SingleFieldForm
        label="Email of the new admin"
        name="new-admin-email"
        type="email"
        hint="The person needs a Staffroom account with this address."
        issuePath="email"
        submitLabel="Add admin"
        run={(email) =>
          runMutation(
            mutationDocument('addDistrictAdmin', 'AddDistrictAdminInput', 'id'),
            'addDistrictAdmin',
            { districtId: props.districtId, email },
          )
        }
        onDone={props.onChanged}
      />
    </>
  );
}

/** Lists a district's staff, with a button that ends a person's staff status. */
export function DistrictStaff(props: {
  districtId: string;
  staff: DistrictPerson[];
  onChanged: () => void;
}) {
  const { act, actionError } = createAction(() => props.onChanged());
  return (
    <>
      <ActionError message={actionError()} />
      <p class="hint">
        Removing someone from the staff signs them out everywhere. They keep their account.
      </p>
      <Show when={props.staff.length > 0} fallback={<Empty>The district has no staff yet.</Empty>}>
        <ul class="rows" data-testid="district-staff">
          <For each={props.staff}>
            {(person) => (
              <li class="row-with-actions">
                <div>
                  <strong>{person.displayName}</strong>
                  <p class="meta">
                    {[person.email, person.school?.name].filter(Boolean).join(' · ')}
                  </p>
                </div>
                <button
                  type="button"
                  class="secondary"
                  aria-label={`Remove ${person.displayName} from the staff`}
                  onClick={() =>
                    void act('removeDistrictStaff', 'DistrictPersonInput', {
                      districtId: props.districtId,
                      userId: person.id,
                    })
                  }
                >
                  Remove from staff
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </>
  );
}
