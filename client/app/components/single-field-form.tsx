import { createSignal, type JSX } from 'solid-js';
import type { MutationOutcome } from '../lib/graphql.ts';
import { createSubmission } from '../lib/submission.ts';
import { Field, FormMessage } from './field.tsx';

/**
 * Renders a form of one text field and a submit button, such as "Add a school". `issuePath` is the input
 * field whose validation issue shows beside the text field. The field empties after a success.
 */
export function SingleFieldForm(props: {
  label: string;
  name: string;
  issuePath: string;
  submitLabel: string;
  initialValue?: string;
  type?: JSX.InputHTMLAttributes<HTMLInputElement>['type'];
  hint?: string;
  run: (value: string) => Promise<MutationOutcome<unknown>>;
  onDone: () => void;
}) {
  const [value, setValue] = createSignal(props.initialValue ?? '');
  const submission = createSubmission([props.issuePath]);

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const result = await submission.submit(() => props.run(value().trim()));
    if (!result.message) {
      setValue(props.initialValue ?? '');
      submission.clear();
      props.onDone();
    }
  };

  return (
    <form onSubmit={submit} novalidate>
      <Field
        label={props.label}
        name={props.name}
        type={props.type ?? 'text'}
        hint={props.hint}
        required
        value={value()}
        onValue={setValue}
        error={submission.issue(props.issuePath)}
      />
      <FormMessage error={submission.formError()} />
      <button type="submit" disabled={submission.busy()}>
        {props.submitLabel}
      </button>
    </form>
  );
}
