import {
  classifyErrors,
  diagnoseFetchFailure,
  type EmbedTarget,
  embedEndpoint,
  embedHeaders,
  type Failure,
  type GraphQLResult,
  type PersistedOperation,
  persistedBody,
  readJson,
} from './graphql.ts';

/** One dispatched server-sent event. */
export interface ServerSentEvent {
  /** The `event:` field; `message` when the event has none. */
  event: string;
  /** The `data:` lines joined with line feeds. */
  data: string;
}

/**
 * Creates an incremental parser of a `text/event-stream` body, by the HTML standard's rules for
 * interpreting an event stream. Lines end with CRLF, LF or CR, and a blank line dispatches the
 * event. Lines that start with a colon are comments, such as keep-alives. The `id` and `retry`
 * fields are ignored, because a widget resumes with the eventId of the GraphQL payload.
 */
export function createEventStreamParser(onEvent: (event: ServerSentEvent) => void) {
  let buffer = '';
  let eventName = '';
  let dataLines: string[] = [];

  const dispatch = () => {
    if (dataLines.length > 0) {
      onEvent({ event: eventName || 'message', data: dataLines.join('\n') });
    }
    eventName = '';
    dataLines = [];
  };

  const processLine = (line: string) => {
    if (line === '') {
      dispatch();
      return;
    }
    if (line.startsWith(':')) {
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      eventName = value;
    } else if (field === 'data') {
      dataLines.push(value);
    }
  };

  return {
    /** Feeds decoded text; complete lines are processed at once. */
    push(text: string): void {
      buffer += text;
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/);
        // A CR at the very end may be the first half of a CRLF split across chunks.
        if (end === -1 || (buffer[end] === '\r' && end === buffer.length - 1)) {
          return;
        }
        const breakLength = buffer.startsWith('\r\n', end) ? 2 : 1;
        processLine(buffer.slice(0, end));
        buffer = buffer.slice(end + breakLength);
      }
    },
    /** Ends the stream. The standard drops a trailing event that lacks its blank line. */
    end(): void {
      if (buffer.endsWith('\r')) {
        processLine(buffer.slice(0, -1));
      }
      buffer = '';
      eventName = '';
      dataLines = [];
    },
  };
}

/** The end of a subscription over server-sent events. */
export type StreamEnd =
  | { kind: 'complete' }
  | { kind: 'interrupted' }
  | { kind: 'failed'; failure: Failure };

/**
 * Subscribes to a persisted subscription over server-sent events (graphql-yoga's "distinct
 * connections" mode: one POST per subscription) and calls `onResult` for each `next` event.
 * `onOpen` runs once the server accepted the subscription. It resolves when the stream ends,
 * and never rejects unless `signal` aborts it.
 */
export async function subscribeOverSse(
  target: EmbedTarget,
  operation: PersistedOperation,
  variables: Record<string, unknown>,
  handlers: { onOpen: () => void; onResult: (result: GraphQLResult) => void },
  signal: AbortSignal,
): Promise<StreamEnd> {
  let response: Response;
  try {
    response = await fetch(embedEndpoint(target), {
      method: 'POST',
      headers: embedHeaders(target, 'text/event-stream'),
      body: persistedBody(operation, variables),
      credentials: 'omit',
      signal,
    });
  } catch (error) {
    if (signal.aborted) {
      throw error;
    }
    return { kind: 'failed', failure: await diagnoseFetchFailure(target.base) };
  }

  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || !type.includes('text/event-stream') || !response.body) {
    const result = type.includes('text/event-stream')
      ? await readFirstResult(response)
      : await readJson(response);
    return { kind: 'failed', failure: classifyErrors(response.status, result?.errors) };
  }

  handlers.onOpen();
  let completed = false;
  const parser = createEventStreamParser((event) => {
    if (event.event === 'complete') {
      completed = true;
    } else if (event.event === 'next' || event.event === 'message') {
      handlers.onResult(JSON.parse(event.data) as GraphQLResult);
    }
  });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      parser.push(value);
    }
  } catch (error) {
    if (signal.aborted) {
      throw error;
    }
    return { kind: 'interrupted' };
  }
  parser.end();
  return completed ? { kind: 'complete' } : { kind: 'interrupted' };
}

/** Reads an event-stream body that carries an error, such as a 401, and returns its first result. */
async function readFirstResult(response: Response): Promise<GraphQLResult | null> {
  let first: GraphQLResult | null = null;
  const parser = createEventStreamParser((event) => {
    if (first === null && event.event !== 'complete') {
      try {
        first = JSON.parse(event.data) as GraphQLResult;
      } catch {
        // A body that is not JSON leaves only the status to go by.
      }
    }
  });
  parser.push(await response.text().catch(() => ''));
  parser.end();
  return first;
}
