import type { Executor } from '../../drizzle/db.ts';
import { mailOutbox } from '../../drizzle/tables/index.ts';

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain-text body. */
  text: string;
}

/**
 * Inserts a message into the outbox inside the caller's transaction, so that the mail goes out
 * only when the change that caused it commits. The mail worker picks it up at its next poll, about a second later.
 */
export async function queueMail(tx: Executor, message: MailMessage): Promise<number> {
  const [row] = await tx
    .insert(mailOutbox)
    .values({ recipient: message.to, subject: message.subject, textBody: message.text })
    .returning({ id: mailOutbox.id });
  if (!row) {
    throw new Error(`Queueing mail to ${message.to} returned no row`);
  }
  return row.id;
}
