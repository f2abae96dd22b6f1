import type { MailMessage } from './outbox.ts';

/** Texts of the mail that account actions send. Links point at the web client's pages. */

export function verificationMail(input: {
  to: string;
  displayName: string;
  link: string;
  validHours: number;
}): MailMessage {
  return {
    to: input.to,
    subject: 'Confirm your email address for Staffroom',
    text: [
      `Hello ${input.displayName},`,
      '',
      'Open this link to confirm that this address is yours:',
      input.link,
      '',
      `The link works once and expires in ${input.validHours} hours. If you did not create a Staffroom account, ignore this mail.`,
    ].join('\n'),
  };
}

export function passwordResetMail(input: {
  to: string;
  link: string;
  validMinutes: number;
}): MailMessage {
  return {
    to: input.to,
    subject: 'Reset your Staffroom password',
    text: [
      'Someone asked to reset the password of the Staffroom account with this address.',
      '',
      'Open this link to choose a new password:',
      input.link,
      '',
      `The link works once and expires in ${input.validMinutes} minutes. Setting a new password signs the account out everywhere. If you did not ask for this, ignore this mail; your password stays as it is.`,
    ].join('\n'),
  };
}

export function singleSignOnOnlyMail(input: { to: string; publicUrl: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Your Staffroom account has no password',
    text: [
      'Someone asked to reset the password of the Staffroom account with this address.',
      '',
      `This account signs in through your district's single sign-on and has no Staffroom password. Sign in with your district account at ${input.publicUrl}.`,
    ].join('\n'),
  };
}

export function passwordChangedMail(input: { to: string; publicUrl: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Your Staffroom password was changed',
    text: [
      'The password of your Staffroom account was just changed, and its other sign-ins were ended.',
      '',
      `If you did not do this, reset your password at ${input.publicUrl}/reset-password right away.`,
    ].join('\n'),
  };
}

export function accountDeletedMail(input: { to: string }): MailMessage {
  return {
    to: input.to,
    subject: 'Your Staffroom account was deleted',
    text: [
      'Your Staffroom account and its personal data were deleted, as you asked.',
      '',
      'This cannot be undone. You may create a new account with this address at any time.',
    ].join('\n'),
  };
}
