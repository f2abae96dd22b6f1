import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every log line printed so far, parsed. */
  logs: Record<string, unknown>[];
  /** Sends SIGTERM and resolves with the exit code. */
  terminate(): Promise<number | null>;
}

/** Starts `server/main.ts` as its own process, as `npm start` does, and waits until it listens. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SERVE_CLIENT: 'false',
      SEED_DEMO: 'false',
      // As in startTestServer: fresh test accounts write quickly; `env` turns the limits back on.
      FLOOD_LIMITS: 'false',
      NEW_ACCOUNT_DAYS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Server process did not start within 30 s: ${stderr.slice(-2000)}`));
    }, 30_000);
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === 'Staffroom listening') {
            clearTimeout(timer);
            resolve({
              url: String(entry.url),
              child,
              logs,
              terminate: async () => {
                child.kill('SIGTERM');
                return exited;
              },
            });
          }
        } catch {
          // Lines that are not JSON (npm or Node warnings) are not log entries.
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(
        new Error(`Server process exited with ${code} before listening: ${stderr.slice(-2000)}`),
      );
    });
  });
}

/** Posts one operation to a server process's `/graphql`, with a bearer token when given. */
export async function graphqlAt(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  token?: string,
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL results are read field by field.
): Promise<{ status: number; retryAfter: string | null; body: any }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  };
}

/** Builds a mutation document that selects the typed errors' messages and the data's id. */
export function mutationDocument(field: string, inputType: string): string {
  const success = `Mutation${field[0]?.toUpperCase()}${field.slice(1)}Success`;
  return `mutation($input: ${inputType}!) { ${field}(input: $input) {
    __typename ... on Error { message } ... on ${success} { data { id } } } }`;
}

/** Runs a mutation on a server process and returns its data, or throws with the response. */
export async function succeedAt(
  url: string,
  field: string,
  inputType: string,
  input: Record<string, unknown>,
  token?: string,
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL results are read field by field.
): Promise<any> {
  const result = await graphqlAt(url, mutationDocument(field, inputType), { input }, token);
  const payload = result.body.data?.[field];
  if (!payload?.__typename?.endsWith('Success')) {
    throw new Error(`${field} failed with HTTP ${result.status}: ${JSON.stringify(result.body)}`);
  }
  return payload.data;
}

/** Polls a condition every 50 ms and reports whether it held before the timeout. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}
