import { type EmbedOperationName, embedOperationIds } from '../../schema/embed-operations.ts';

const OPERATION_IDS = embedOperationIds();

/** Builds the body of a persisted operation as widgets send it. A given `id` replaces the real one. */
export function persistedBody(
  name: EmbedOperationName,
  variables: Record<string, unknown>,
  id: string = OPERATION_IDS[name],
) {
  return {
    operationName: name,
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: id } },
  };
}

/** Reads a server-sent event stream in the background. */
export function readEventStream(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  let ended = false;
  void (async () => {
    while (!ended) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.value) {
        text += decoder.decode(chunk.value, { stream: true });
      }
      ended = chunk.done;
    }
  })();
  return {
    get text() {
      return text;
    },
    get ended() {
      return ended;
    },
    /** Waits up to `timeoutMs` for the condition and returns whether it is met. */
    async waitFor(condition: () => boolean, timeoutMs = 5000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (!condition() && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return condition();
    },
    cancel: () => reader.cancel().catch(() => {}),
  };
}
