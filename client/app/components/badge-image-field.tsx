import { createSignal, For, Match, onCleanup, Show, Switch } from 'solid-js';
import { checkBadgeImage, type UploadedFile, uploadFile } from '../lib/upload.ts';
import './badge-image.css';

const SYMBOLS = [
  ['STAR', 'Star'],
  ['BOOK', 'Book'],
  ['LIGHTBULB', 'Light bulb'],
  ['ATOM', 'Atom'],
  ['CHAT', 'Speech bubble'],
  ['SHIELD', 'Shield'],
  ['GLOBE', 'Globe'],
  ['PENCIL', 'Pencil'],
] as const;

const DEFAULT_COLOR = '#2a6f97';

type ImageInput =
  | { imageTemplate: { color: string; symbol: string } }
  | { imageUploadId: string }
  | { issue: string };

/**
 * Creates the state of a badge form's image choice: a template (colour and symbol) or an
 * uploaded PNG or SVG, which is sent as soon as it is chosen.
 */
export function createBadgeImageState() {
  const [choice, setChoice] = createSignal<'TEMPLATE' | 'UPLOAD'>('TEMPLATE');
  const [color, setColor] = createSignal(DEFAULT_COLOR);
  const [symbol, setSymbol] = createSignal<string>('STAR');
  const [uploaded, setUploaded] = createSignal<UploadedFile | null>(null);
  const [progress, setProgress] = createSignal<number | null>(null);
  const [error, setError] = createSignal('');
  const [previewUrl, setPreviewUrl] = createSignal('');

  const replacePreview = (url: string) => {
    if (previewUrl()) {
      URL.revokeObjectURL(previewUrl());
    }
    setPreviewUrl(url);
  };
  onCleanup(() => replacePreview(''));

  const choose = async (file: File | undefined) => {
    setError('');
    setUploaded(null);
    replacePreview('');
    if (!file) {
      return;
    }
    const problem = checkBadgeImage(file);
    if (problem) {
      setError(problem);
      return;
    }
    replacePreview(URL.createObjectURL(file));
    // NOTE: the file is stored as soon as it is chosen, so choosing another one, or leaving the
    // form, leaves an upload that no badge uses. Nothing deletes such uploads yet.
    setProgress(0);
    const outcome = await uploadFile(file, 'BADGE_IMAGE', setProgress);
    setProgress(null);
    if (outcome.data) {
      setUploaded(outcome.data);
    } else {
      replacePreview('');
      setError(outcome.issues?.[0]?.message ?? outcome.message ?? 'The upload failed.');
    }
  };

  /** Returns the createBadge fields for the choice, or an issue to show before sending. */
  const input = (): ImageInput => {
    if (choice() === 'TEMPLATE') {
      return { imageTemplate: { color: color(), symbol: symbol() } };
    }
    const file = uploaded();
    if (progress() !== null) {
      return { issue: 'Wait for the image to finish uploading.' };
    }
    return file ? { imageUploadId: file.id } : { issue: 'Choose a PNG or SVG image to upload.' };
  };

  const reset = () => {
    setChoice('TEMPLATE');
    setColor(DEFAULT_COLOR);
    setSymbol('STAR');
    setUploaded(null);
    setError('');
    replacePreview('');
  };

  return {
    choice,
    setChoice,
    color,
    setColor,
    symbol,
    setSymbol,
    uploaded,
    progress,
    error,
    previewUrl,
    choose,
    input,
    reset,
  };
}

export type BadgeImageState = ReturnType<typeof createBadgeImageState>;

/** Renders the image choice of a badge form, with a live preview of either kind of image. */
export function BadgeImageField(props: { state: BadgeImageState; issue?: string }) {
  const state = props.state;
  // The browser's own check or the upload's rejection comes first. A form issue no longer applies
  // once a file has been uploaded.
  const message = () => state.error() || (state.uploaded() ? undefined : props.issue);
  const templatePreview = () =>
    `/badges/preview.svg?color=${encodeURIComponent(state.color())}&symbol=${state.symbol()}`;
  return (
    <fieldset
      class="field badge-image-field"
      classList={{ invalid: Boolean(message()) }}
      aria-describedby={message() ? 'badge-image-error' : undefined}
    >
      <legend>Badge image</legend>
      <label class="check">
        <input
          type="radio"
          name="badge-image-choice"
          checked={state.choice() === 'TEMPLATE'}
          onChange={() => state.setChoice('TEMPLATE')}
        />
        Draw it from a colour and a symbol
      </label>
      <label class="check">
        <input
          type="radio"
          name="badge-image-choice"
          checked={state.choice() === 'UPLOAD'}
          onChange={() => state.setChoice('UPLOAD')}
        />
        Upload a PNG or SVG image
      </label>
      <div class="badge-image-choice">
        <Switch>
          <Match when={state.choice() === 'TEMPLATE'}>
            <div class="badge-image-inputs">
              <label for="field-badge-image-color">Colour</label>
              <input
                id="field-badge-image-color"
                type="color"
                name="badge-image-color"
                value={state.color()}
                onInput={(event) => state.setColor(event.currentTarget.value)}
              />
              <label for="field-badge-image-symbol">Symbol</label>
              <select
                id="field-badge-image-symbol"
                name="badge-image-symbol"
                value={state.symbol()}
                onChange={(event) => state.setSymbol(event.currentTarget.value)}
              >
                <For each={SYMBOLS}>
                  {([value, label]) => <option value={value}>{label}</option>}
                </For>
              </select>
            </div>
            <img
              class="badge-image-preview"
              src={templatePreview()}
              alt="Preview of the new badge"
              width="96"
              height="96"
            />
          </Match>
          <Match when={state.choice() === 'UPLOAD'}>
            <div class="badge-image-inputs">
              <label for="field-badge-image-file">Image file</label>
              <p class="hint" id="field-badge-image-file-hint">
                PNG or SVG, at most 512 KB; a PNG at most 2048 × 2048 pixels.
              </p>
              <input
                id="field-badge-image-file"
                name="badge-image-file"
                type="file"
                accept="image/png,image/svg+xml,.png,.svg"
                aria-describedby="field-badge-image-file-hint"
                disabled={state.progress() !== null}
                onChange={(event) => void state.choose(event.currentTarget.files?.[0])}
              />
              <Show when={state.progress() !== null}>
                <p role="status">
                  Uploading…{' '}
                  <progress max="1" value={state.progress() ?? 0} aria-label="Upload progress" />
                </p>
              </Show>
              <Show when={state.uploaded()}>
                {(file) => (
                  <p class="meta" role="status">
                    Uploaded {file().fileName} ({Math.ceil(file().byteSize / 1024)} KB).
                  </p>
                )}
              </Show>
            </div>
            <Show when={state.previewUrl()}>
              <img
                class="badge-image-preview"
                src={state.previewUrl()}
                alt="Preview of the new badge"
                width="96"
                height="96"
              />
            </Show>
          </Match>
        </Switch>
      </div>
      <Show when={message()}>
        <p class="field-error" id="badge-image-error" role="alert">
          {message()}
        </p>
      </Show>
    </fieldset>
  );
}
