import { createEffect, createSignal, on, onCleanup, onMount, Show } from 'solid-js';

let loaderLoad: Promise<void> | null = null;

/**
 * Adds the widget loader to this page once, as a module script from Staffroom's own origin, the
 * way a host page loads it. A failed load may be tried again.
 */
function loadWidgetLoader(): Promise<void> {
  loaderLoad ??= new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.type = 'module';
    script.src = `${location.origin}/embed/loader.js`;
    script.dataset.staffroomLoader = '';
    script.addEventListener('load', () => resolve());
    script.addEventListener('error', () => {
      script.remove();
      loaderLoad = null;
      reject(new Error('The widget loader could not be loaded.'));
    });
    document.head.append(script);
  });
  return loaderLoad;
}

/** Milliseconds to wait after the last option change before the preview is rebuilt. */
const PREVIEW_DELAY_MS = 300;

/**
 * Shows the real widget element with the chosen attributes, rebuilt when they change. The key
 * always allows Staffroom's own origin, so the preview works on this page; its requests count in
 * the key's usage like any other.
 */
export function WidgetPreview(props: { tag: string; attributes: [string, string][] }) {
  const [loader, setLoader] = createSignal<'loading' | 'ready' | 'failed'>('loading');
  let container: HTMLDivElement | undefined;

  const load = () => {
    setLoader('loading');
    loadWidgetLoader().then(
      () => setLoader('ready'),
      () => setLoader('failed'),
    );
  };
  onMount(load);

  createEffect(
    on(
      () => [props.tag, JSON.stringify(props.attributes)] as const,
      ([tag]) => {
        const attributes = props.attributes;
        const timer = setTimeout(() => {
          const element = document.createElement(tag);
          for (const [name, value] of attributes) {
            element.setAttribute(name, value);
          }
          container?.replaceChildren(element);
        }, PREVIEW_DELAY_MS);
        onCleanup(() => clearTimeout(timer));
      },
    ),
  );
  onCleanup(() => container?.replaceChildren());

  return (
    <>
      <Show when={loader() === 'loading'}>
        <p class="status" role="status">
          <span class="spinner" aria-hidden="true" /> Loading the widget code…
        </p>
      </Show>
      <Show when={loader() === 'failed'}>
        <div class="error-state" role="alert">
          <p>
            The widget code could not be loaded from {location.origin}/embed/loader.js, so the
            preview stays empty.
          </p>
          <button type="button" onClick={load}>
            Try again
          </button>
        </div>
      </Show>
      <div
        class="widget-preview"
        ref={container}
        data-testid="widget-preview"
        data-loader={loader()}
      />
      <p class="hint" data-testid="widget-preview-usage">
        The preview loads the widget through the key, so previews count as uses of the key.
      </p>
    </>
  );
}

/**
 * Renders a read-only snippet with a Copy button. Copying uses the clipboard API and, where the
 * browser rejects it, selects the text for the keyboard's copy command. The outcome is announced politely.
 */
export function CopySnippet(props: {
  label: string;
  name: string;
  hint: string;
  text: string;
  rows: number;
}) {
  const [message, setMessage] = createSignal('');
  let textarea: HTMLTextAreaElement | undefined;
  const id = () => `snippet-${props.name}`;

  createEffect(
    on(
      () => props.text,
      () => setMessage(''),
      { defer: true },
    ),
  );

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setMessage('Copied');
    } catch {
      // The clipboard API needs a secure context and permission.
      textarea?.focus();
      textarea?.select();
      setMessage('Copying failed. The snippet is selected: copy it with your keyboard.');
    }
  };

  return (
    <div class="field snippet">
      <label for={id()}>{props.label}</label>
      <p class="hint" id={`${id()}-hint`}>
        {props.hint}
      </p>
      <textarea
        aria-describedby={`${id()}-hint`}
        id={id()}
        ref={textarea}
        readOnly
        rows={props.rows}
        spellcheck={false}
        value={props.text}
        data-testid={id()}
        onFocus={(event) => event.currentTarget.select()}
      />
      <div class="actions">
        <button
          type="button"
          aria-label={`Copy the ${props.label.toLowerCase()}`}
          onClick={() => void copy()}
        >
          Copy
        </button>
        <span class="meta" role="status" data-testid={`${id()}-status`}>
          {message()}
        </span>
      </div>
    </div>
  );
}
