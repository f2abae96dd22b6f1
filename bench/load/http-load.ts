import autocannon from 'autocannon';

// Load generator for the HTTP figures, run in a process of its own so that it shares no event
// loop with the benchmark or the server it measures. Started with an IPC channel, it prints
// {"ready":""} and then responds to each message {type: 'run', options: HttpLoadOptions} with
// {type: 'result', result: HttpLoadResult}, one run at a time. Started from a shell with one
// argument, the JSON of an HttpLoadOptions, it prints {"result": HttpLoadResult} and exits:
//   node --import tsx bench/load/http-load.ts '{"url":"http://127.0.0.1:4000/graphql",…}'

export interface HttpLoadOptions {
  url: string;
  connections: number;
  durationSeconds: number;
  /** A POST body, sent as application/json. */
  body: string;
}

export interface HttpLoadResult {
  requests: number;
  /** Completed requests divided by the time the run took. */
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Responses with a status outside 200 to 299. */
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
}

export async function runHttpLoad(options: HttpLoadOptions): Promise<HttpLoadResult> {
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: options.body,
    connections: options.connections,
    duration: options.durationSeconds,
    pipelining: 1,
    timeout: 10,
  });
  const seconds = result.duration > 0 ? result.duration : options.durationSeconds;
  return {
    requests: result.requests.total,
    requestsPerSecond: result.requests.total / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

if (process.send) {
  process.on('message', (message: { type?: string; options?: HttpLoadOptions }) => {
    if (message?.type !== 'run' || !message.options) {
      return;
    }
    runHttpLoad(message.options).then(
      (result) => process.send?.({ type: 'result', result }),
      (error: unknown) => process.send?.({ type: 'error', message: String(error) }),
    );
  });
  // The benchmark stops this process by its id; losing the channel means the benchmark is gone.
  process.on('disconnect', () => process.exit(0));
  process.stdout.write(`${JSON.stringify({ ready: '' })}\n`);
} else {
  const options = JSON.parse(process.argv[2] ?? '{}') as HttpLoadOptions;
  if (!options.url || !options.connections || !options.durationSeconds) {
    process.stderr.write('Pass one argument: {"url","connections","durationSeconds","body"}.\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify({ result: await runHttpLoad(options) })}\n`);
}
