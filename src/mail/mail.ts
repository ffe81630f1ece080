/**
 * E-mail: SMTP through nodemailer (ALLMENDE_SMTP_URL, sender ALLMENDE_MAIL_FROM); without a mail server
 * the mail is written to the log instead, and the page that triggered it says so.
 *
 * Mails leave only after their business transaction committed: a service never sends directly, it
 * writes to the outbox inside its transaction — `enqueueMail(tx, mail)` for a finished mail (outbox kind
 * `mail`, delivered by mailDeliverer), or `sendInTx(tx, job, …)` for a job that composes the mail after
 * commit (a mail with a one-time link: the link's token is created by the job, so it is never stored in
 * the outbox, only its hash in its own table). See ARCHITECTURE.md, "E-mail".
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { Config, MailConfig } from '../config/config.js';
import type { Tx } from '../db/tx.js';
import type { JobLog } from '../jobs/jobs.js';
import { enqueueOutbox, type OutboxDeliverer } from '../jobs/outbox.js';

export type MailLang = 'de' | 'en';

export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The recipient's language (Content-Language). */
  readonly lang: MailLang;
}

/** How mails leave this installation: by SMTP, or into the log (no mail server configured). */
export type MailDelivery = 'smtp' | 'log';

export function mailDelivery(config: Pick<Config, 'mail'>): MailDelivery {
  return config.mail.smtpUrl ? 'smtp' : 'log';
}

const transports = new Map<string, Transporter>();

function transportFor(smtpUrl: string): Transporter {
  let t = transports.get(smtpUrl);
  if (!t) {
    // smtps:// → TLS from the start; smtp:// → STARTTLS when the server offers it.
    t = nodemailer.createTransport(smtpUrl);
    transports.set(smtpUrl, t);
  }
  return t;
}

/**
 * Sends one mail now (for the outbox deliverer and jobs, after commit; never from a request). Resolves
 * when the server accepted it; throws otherwise, so the outbox or the job retries. `messageId` makes a
 * repeat recognisable to the recipient's systems.
 */
export async function sendMail(
  config: MailConfig,
  log: JobLog,
  mail: Mail,
  opts: { messageId?: string } = {},
): Promise<MailDelivery> {
  if (!config.smtpUrl) {
    log.warn(
      { mail: { to: mail.to, subject: mail.subject, lang: mail.lang, text: mail.text } },
      'no mail server configured (ALLMENDE_SMTP_URL): the mail was written to the log instead of being sent',
    );
    return 'log';
  }
  const info = await transportFor(config.smtpUrl).sendMail({
    from: config.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: { 'Content-Language': mail.lang },
    ...(opts.messageId ? { messageId: opts.messageId } : {}),
  });
  if (info.rejected.length > 0) throw new Error(`mail server refused the recipient (${info.response})`);
  return 'smtp';
}

/** Queues a finished mail (no secrets in it: it is stored until delivered) in the business transaction. */
export function enqueueMail(
  tx: Tx,
  mail: Mail,
  opts: { memberId?: string; key?: string } = {},
): Promise<string> {
  return enqueueOutbox(tx, {
    kind: 'mail',
    topic: 'mail',
    payload: mail,
    ...(opts.memberId ? { memberId: opts.memberId } : {}),
    ...(opts.key ? { idempotencyKey: `mail:${opts.key}` } : {}),
  });
}

/** Delivers outbox messages of kind `mail`; the idempotency key becomes the Message-ID. */
export function mailDeliverer(o: { config: MailConfig; log: JobLog; host: string }): OutboxDeliverer {
  return {
    kind: 'mail',
    async deliver(m) {
      await sendMail(o.config, o.log, m.payload as Mail, {
        messageId: `<${m.idempotencyKey.replace(/[^A-Za-z0-9._:-]/g, '-')}@${o.host}>`,
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Composing: plain text plus simple HTML, every text escaped.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A mail from paragraphs and an optional link (its own paragraph, after the first `linkAfter`
 * paragraphs): the text part as it is, the HTML part escaped, with the link as an anchor.
 */
export function composeMail(o: {
  to: string;
  lang: MailLang;
  subject: string;
  paragraphs: readonly string[];
  link?: { url: string; after: number };
}): Mail {
  const parts: { text: string; link?: boolean }[] = o.paragraphs.map((text) => ({ text }));
  if (o.link) parts.splice(o.link.after, 0, { text: o.link.url, link: true });
  const text = `${parts.map((p) => p.text).join('\n\n')}\n`;
  const body = parts
    .map((p) =>
      p.link
        ? `<p><a href="${escapeHtml(p.text)}">${escapeHtml(p.text)}</a></p>`
        : `<p>${escapeHtml(p.text).replace(/\n/g, '<br>')}</p>`,
    )
    .join('\n');
  const html = `<!DOCTYPE html>\n<html lang="${o.lang}"><head><meta charset="utf-8"><title>${escapeHtml(o.subject)}</title></head>\n<body style="font-family: sans-serif; line-height: 1.5">\n${body}\n</body></html>\n`;
  return { to: o.to, lang: o.lang, subject: o.subject, text, html };
}
