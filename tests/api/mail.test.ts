import { Writable } from 'node:stream';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../../drizzle/db.ts';
import { mailOutbox } from '../../drizzle/tables/index.ts';
import { createLogger } from '../../server/log.ts';
import { queueMail } from '../../server/mail/outbox.ts';
import { createLogTransport, createMailTransport } from '../../server/mail/transport.ts';
import { MAX_MAIL_ATTEMPTS, type MailWorker, startMailWorker } from '../../server/mail/worker.ts';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/database.ts';
import { startTestServer } from '../helpers/server.ts';
import { servicesAvailable } from '../helpers/services.ts';

interface ReceivedMail {
  recipients: string[];
  subject: string;
  text: string;
}

interface TestSmtpServer {
  url: string;
  received: ReceivedMail[];
  /** Rejects the next `count` messages with 451, as a busy server does. */
  rejectNext(count: number): void;
  close(): Promise<void>;
}

/** Decodes a quoted-printable body, as nodemailer writes lines longer than 76 characters. */
function decodeQuotedPrintable(text: string): string {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_match, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
}

function parseMessage(raw: string, recipients: string[]): ReceivedMail {
  const [head = '', ...bodyParts] = raw.split(/\r?\n\r?\n/);
  const body = bodyParts.join('\n\n');
  const subject = /^Subject: (.*)$/im.exec(head)?.[1]?.trim() ?? '';
  const quoted = /Content-Transfer-Encoding: quoted-printable/i.test(head);
  return { recipients, subject, text: (quoted ? decodeQuotedPrintable(body) : body).trim() };
}

/** Starts an SMTP server on an ephemeral port of 127.0.0.1 that keeps what it receives. */
async function startSmtpServer(options: { delayMs?: number } = {}): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  let rejections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (rejections > 0) {
          rejections -= 1;
          const error = Object.assign(new Error('Mailbox busy, try again later'), {
            responseCode: 451,
          });
          callback(error);
          return;
        }
        const recipients = session.envelope.rcptTo.map((address) => address.address);
        setTimeout(() => {
          received.push(parseMessage(Buffer.concat(chunks).toString('utf8'), recipients));
          callback();
        }, options.delayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    rejectNext(count) {
      rejections = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, ms = 5000) {
  const deadline = Date.now() + ms;
  let value = await read();
  while (!done(value)) {
    if (Date.now() > deadline) {
      throw new Error(`Condition not met within ${ms} ms; last value ${JSON.stringify(value)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = await read();
  }
  return value;
}

const silent = createLogger('silent');

async function openMigrated(database: TestDatabase): Promise<DatabaseHandle> {
  const options = { url: database.url, dataDir: database.dataDir };
  const handle = openDatabase(options);
  await migrateDatabase(options, handle);
  return handle;
}

async function outboxRow(handle: DatabaseHandle, id: number) {
  const [row] = await handle.db.select().from(mailOutbox).where(eq(mailOutbox.id, id));
  if (!row) {
    throw new Error(`Mail ${id} is not in the outbox`);
  }
  return row;
}

describe.each(await databaseKinds())('mail outbox on %s', (kind) => {
  let database: TestDatabase;
  let handle: DatabaseHandle;
  let smtp: TestSmtpServer;
  const workers: MailWorker[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    handle = await openMigrated(database);
  });

  afterEach(async () => {
    for (const worker of workers.splice(0)) {
      await worker.stop();
    }
    await smtp?.close();
  });

  afterAll(async () => {
    await handle?.close();
    await database?.drop();
  });

  function startWorker(options: { retryBaseMs?: number; intervalMs?: number } = {}) {
    const transport = createMailTransport({
      smtpUrl: smtp.url,
      mailFrom: 'Staffroom <no-reply@staffroom.test>',
      log: silent,
    });
    const worker = startMailWorker({
      db: handle.db,
      transport,
      log: silent,
      intervalMs: options.intervalMs ?? 50,
      retryBaseMs: options.retryBaseMs ?? 100,
    });
    workers.push(worker);
    return worker;
  }

  test('delivers queued mail over SMTP', async () => {
    smtp = await startSmtpServer();
    const id = await queueMail(handle.db, {
      to: 'ana@example.org',
      subject: 'Welcome',
      text: 'Hello Ana',
    });

    startWorker();
    await waitFor(
      () => smtp.received.length,
      (count) => count > 0,
    );
    const row = await waitFor(
      () => outboxRow(handle, id),
      (mail) => mail.status === 'sent',
    );

    expect(smtp.received[0]?.recipients).toEqual(['ana@example.org']);
    expect(smtp.received[0]?.subject).toBe('Welcome');
    expect(smtp.received[0]?.text).toBe('Hello Ana');
    expect(row.sentAt).not.toBeNull();
    expect(row.attempts).toBe(1);
  });

  test('sends nothing from a rolled-back transaction', async () => {
    smtp = await startSmtpServer();
    await handle.db
      .transaction(async (tx) => {
        await queueMail(tx, { to: 'rolled@example.org', subject: 'Never', text: 'Never sent' });
        throw new Error('roll back');
      })
      .catch(() => {});

    const worker = startWorker();
    await worker.drain();
    const rows = await handle.db
      .select()
      .from(mailOutbox)
      .where(eq(mailOutbox.recipient, 'rolled@example.org'));

    expect(rows).toEqual([]);
    expect(smtp.received.some((mail) => mail.recipients.includes('rolled@example.org'))).toBe(
      false,
    );
  });

  test('retries a refused message, then sends it', async () => {
    smtp = await startSmtpServer();
    smtp.rejectNext(1);
    const id = await queueMail(handle.db, { to: 'ben@example.org', subject: 'Retry', text: 'Hi' });

    const worker = startWorker({ retryBaseMs: 60_000, intervalMs: 60_000 });
    await worker.drain();
    const refused = await outboxRow(handle, id);
    const [{ delaySeconds } = { delaySeconds: 0 }] = await handle.db
      .select({
        delaySeconds: sql<number>`extract(epoch from ${mailOutbox.nextAttemptAt} - now())::float8`,
      })
      .from(mailOutbox)
      .where(eq(mailOutbox.id, id));
    await handle.db
      .update(mailOutbox)
      .set({ nextAttemptAt: sql`now()` })
      .where(eq(mailOutbox.id, id));
    await worker.drain();
    const sent = await outboxRow(handle, id);

    expect(refused.status).toBe('pending');
    expect(refused.attempts).toBe(1);
    expect(refused.lastError).toMatch(/451/);
    expect(Number(delaySeconds)).toBeGreaterThan(50);
    expect(Number(delaySeconds)).toBeLessThanOrEqual(60);
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(2);
    expect(sent.lastError).toBeNull();
    expect(smtp.received.filter((mail) => mail.subject === 'Retry')).toHaveLength(1);
  });

  test('doubles the wait after each failure', async () => {
    smtp = await startSmtpServer();
    smtp.rejectNext(3);
    const id = await queueMail(handle.db, { to: 'cy@example.org', subject: 'Backoff', text: 'Hi' });
    const worker = startWorker({ retryBaseMs: 10_000, intervalMs: 60_000 });

    const delays: number[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await worker.drain();
      const [row] = await handle.db
        .select({
          seconds: sql<number>`extract(epoch from ${mailOutbox.nextAttemptAt} - now())::float8`,
        })
        .from(mailOutbox)
        .where(eq(mailOutbox.id, id));
      delays.push(Math.round(Number(row?.seconds)));
      await handle.db
        .update(mailOutbox)
        .set({ nextAttemptAt: sql`now()` })
        .where(eq(mailOutbox.id, id));
    }

    expect(delays).toEqual([10, 20, 40]);
  });

  test('marks mail failed after the last attempt', async () => {
    smtp = await startSmtpServer();
    smtp.rejectNext(100);
    const id = await queueMail(handle.db, { to: 'dee@example.org', subject: 'Doomed', text: 'x' });

    startWorker({ retryBaseMs: 1, intervalMs: 10 });
    const row = await waitFor(
      () => outboxRow(handle, id),
      (mail) => mail.status === 'failed',
      10_000,
    );

    expect(row.attempts).toBe(MAX_MAIL_ATTEMPTS);
    expect(row.lastError).toMatch(/Mailbox busy/);
    expect(row.sentAt).toBeNull();
  });
});

describe.skipIf(!(await servicesAvailable('postgres')))('two mail workers', () => {
  let database: TestDatabase;
  const handles: DatabaseHandle[] = [];
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    handles.push(await openMigrated(database), await openMigrated(database));
    smtp = await startSmtpServer({ delayMs: 5 });
  });

  afterAll(async () => {
    await smtp?.close();
    for (const handle of handles) {
      await handle.close();
    }
    await database?.drop();
  });

  test('send each message once', async () => {
    const [first, second] = handles as [DatabaseHandle, DatabaseHandle];
    const recipients = Array.from({ length: 40 }, (_, index) => `teacher${index}@example.org`);
    for (const to of recipients) {
      await queueMail(first.db, { to, subject: `For ${to}`, text: 'Once only' });
    }

    const workers = [first, second].map((handle) =>
      startMailWorker({
        db: handle.db,
        transport: createMailTransport({
          smtpUrl: smtp.url,
          mailFrom: 'x@staffroom.test',
          log: silent,
        }),
        log: silent,
        intervalMs: 10,
        batchSize: 3,
      }),
    );
    await Promise.all(workers.map((worker) => worker.drain()));
    await waitFor(
      () => smtp.received.length,
      (count) => count >= recipients.length,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const worker of workers) {
      await worker.stop();
    }
    const delivered = smtp.received.flatMap((mail) => mail.recipients).sort();
    const statuses = await first.db
      .select({ status: mailOutbox.status, count: sql<number>`count(*)::int` })
      .from(mailOutbox)
      .groupBy(mailOutbox.status);

    expect(delivered).toEqual([...recipients].sort());
    expect(statuses).toEqual([{ status: 'sent', count: recipients.length }]);
  });
});

describe('log transport', () => {
  test('logs recipient, subject and text', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, callback) {
          lines.push(String(chunk));
          callback();
        },
      }),
    );

    await createLogTransport(log).send({ to: 'eli@example.org', subject: 'Hi', text: 'Body' });
    const entry = JSON.parse(lines[0] ?? '{}');

    expect(entry.recipient).toBe('eli@example.org');
    expect(entry.subject).toBe('Hi');
    expect(entry.text).toBe('Body');
  });
});

describe('mail from a running server', () => {
  let smtp: TestSmtpServer;

  beforeAll(async () => {
    smtp = await startSmtpServer();
  });

  afterAll(async () => {
    await smtp?.close();
  });

  test('mails the verification link after sign-up', async () => {
    const database = await createTestDatabase('pglite');
    const server = await startTestServer({
      database,
      env: { SMTP_URL: smtp.url, PUBLIC_URL: 'https://staffroom.test' },
    });
    try {
      const result = await server.graphql(
        'mutation($input: SignUpInput!) { signUp(input: $input) { __typename } }',
        {
          input: {
            email: 'fay@example.org',
            password: 'fay password 123',
            displayName: 'Fay',
          },
        },
      );
      const mail = await waitFor(
        () => smtp.received.find((message) => message.recipients.includes('fay@example.org')),
        (message) => message !== undefined,
      );

      expect(result.body.data.signUp.__typename).toBe('MutationSignUpSuccess');
      expect(mail?.subject).toMatch(/Confirm your email/);
      expect(mail?.text).toMatch(/https:\/\/staffroom\.test\/verify-email\?token=[\w-]{40,}/);
    } finally {
      await server.stop();
      await database.drop();
    }
  });
});
