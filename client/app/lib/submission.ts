import { createSignal } from 'solid-js';
import { formErrorFor, issueFor, type MutationOutcome } from './graphql.ts';

/**
 * Creates a form's submission state: a busy flag that disables the submit button, and the last
 * outcome for the messages beside the fields (`issue`) and under the form (`formError`).
 * `fields` names the input fields the form shows, so that other issues appear under the form.
 */
export function createSubmission(fields: string[]) {
  const [busy, setBusy] = createSignal(false);
  const [outcome, setOutcome] = createSignal<MutationOutcome<unknown> | null>(null);

  const submit = async <Data>(run: () => Promise<MutationOutcome<Data>>) => {
    setBusy(true);
    const result = await run();
    setBusy(false);
    setOutcome(result as MutationOutcome<unknown>);
    return result;
  };

  /** Shows issues found before sending, such as a missing date, as if the server sent them. */
  const reject = (issues: { path: string[]; message: string }[]) => {
    setOutcome({ typename: 'ValidationError', message: 'Invalid input.', issues });
  };

  return {
    busy,
    outcome,
    submit,
    reject,
    clear: () => setOutcome(null),
    issue: (field: string) => issueFor(outcome(), field),
    formError: () => formErrorFor(outcome(), fields),
  };
}
