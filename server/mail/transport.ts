import nodemailer from 'nodemailer';
import type { Logger } from '../log.ts';
import type { MailMessage } from './outbox.ts';

/** Sends one message; rejects when the message was not accepted. */
export interface MailTransport {
  kind: 'smtp' | 'log';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailTransportOptions {
  /** SMTP server URL, such as smtp://user:pass@mail.example.org:587; without it mail is logged. */
  smtpUrl: string | undefined;
  /** The From address. */
  mailFrom: string;
  log: Logger;
}

/**
 * Milliseconds that a connection, greeting or idle socket may take before the attempt fails. The
 * worker's claim on a message (5 minutes by default) outlasts these timeouts, so no other worker
 * takes the message meanwhile.
 */
export const SMTP_TIMEOUT_MS = 30_000;

/** Creates the SMTP transport when SMTP_URL is set, and the log transport otherwise. */
export function createMailTransport(options: MailTransportOptions): MailTransport {
  if (!options.smtpUrl) {
    return createLogTransport(options.log);
  }
  const transporter = nodemailer.createTransport(
    {
      url: options.smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    },
    { from: options.mailFrom },
  );
  return {
    kind: 'smtp',
    async send(message) {
      await transporter.sendMail({ to: message.to, subject: message.subject, text: message.text });
    },
    close: () => transporter.close(),
  };
}

/**
 * Writes each message to the log instead of sending it, for development without an SMTP server.
 * The text is logged whole, links with their tokens included, because the log is then the only
 * way to read the mail.
 */
export function createLogTransport(log: Logger): MailTransport {
  return {
    kind: 'log',
    async send(message) {
      log.info(
        { recipient: message.to, subject: message.subject, text: message.text },
        'Mail not sent because SMTP_URL is not set; logged here instead',
      );
    },
    close: () => {},
  };
}
