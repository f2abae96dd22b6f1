import { type JSX, Show, splitProps } from 'solid-js';

type FieldProps = {
  label: string;
  name: string;
  error?: string;
  hint?: string;
  multiline?: boolean;
  /** Called with the new value on every input. */
  onValue?: (value: string) => void;
} & JSX.InputHTMLAttributes<HTMLInputElement> &
  JSX.TextareaHTMLAttributes<HTMLTextAreaElement>;

/** Renders a labelled input or textarea with its hint and validation message tied to it. */
export function Field(props: FieldProps) {
  const [own, rest] = splitProps(props, ['label', 'name', 'error', 'hint', 'multiline', 'onValue']);
  const id = () => `field-${own.name}`;
  const describedBy = () =>
    [own.hint ? `${id()}-hint` : '', own.error ? `${id()}-error` : ''].filter(Boolean).join(' ') ||
    undefined;
  return (
    <div class="field" classList={{ invalid: Boolean(own.error) }}>
      <label for={id()}>{own.label}</label>
      <Show when={own.hint}>
        <p class="hint" id={`${id()}-hint`}>
          {own.hint}
        </p>
      </Show>
      <Show
        when={own.multiline}
        fallback={
          <input
            id={id()}
            name={own.name}
            aria-invalid={own.error ? 'true' : undefined}
            aria-describedby={describedBy()}
            onInput={(event) => own.onValue?.(event.currentTarget.value)}
            {...(rest as JSX.InputHTMLAttributes<HTMLInputElement>)}
          />
        }
      >
        <textarea
          id={id()}
          name={own.name}
          aria-invalid={own.error ? 'true' : undefined}
          aria-describedby={describedBy()}
          onInput={(event) => own.onValue?.(event.currentTarget.value)}
          {...(rest as JSX.TextareaHTMLAttributes<HTMLTextAreaElement>)}
        />
      </Show>
      <Show when={own.error}>
        <p class="field-error" id={`${id()}-error`}>
          {own.error}
        </p>
      </Show>
    </div>
  );
}

/** Renders a form's outcome: a polite success note or an assertive error. */
export function FormMessage(props: { error?: string; success?: string }) {
  return (
    <>
      <Show when={props.error}>
        <p class="form-error" role="alert">
          {props.error}
        </p>
      </Show>
      <Show when={props.success}>
        <p class="form-success" role="status">
          {props.success}
        </p>
      </Show>
    </>
  );
}
