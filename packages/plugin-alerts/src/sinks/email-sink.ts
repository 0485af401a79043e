import type { Alert, AlertSink, SinkHealth } from '@prevention/core';
import { ErrorCodes, PreventionError } from '@prevention/core';
import type { Transporter } from 'nodemailer';
import { Secret } from '../secret.js';
import { readSecret } from '../secret-source.js';
import { emailMessage } from './email-message.js';
import type { CommonSinkOptions, SinkDefinition } from './sink-definition.js';

/** Options of {@link emailSink}. */
export interface EmailSinkOptions extends CommonSinkOptions {
  host: string;
  /** Default 587 (465 when `secure`). */
  port?: number;
  /** TLS from the start (port 465). Without it, STARTTLS is used when the server offers it. */
  secure?: boolean;
  /** Refuse to send unless the connection is upgraded with STARTTLS. */
  requireTLS?: boolean;
  /** Verify the server's certificate; default true. */
  rejectUnauthorized?: boolean;
  /**
   * SMTP login. The password is a secret: give at most one of `pass`, `passEnv` or `passFile`;
   * it is never logged nor put in an error message.
   */
  auth?: { user: string; pass?: string; passEnv?: string; passFile?: string };
  from: string;
  to: string | string[];
  /** Put before the subject; default `[prevention] `. */
  subjectPrefix?: string;
  /** Connection, greeting and socket timeout; default 10 s. */
  timeoutMs?: number;
}

/**
 * Sends each notification as one email with a plain-text and an HTML body. The SMTP transport
 * is made by `connect` when the first mail is sent or the first health check runs, so an
 * engine that never alerts never loads nodemailer.
 */
export class EmailAlertSink implements AlertSink {
  private transport: Promise<Transporter> | undefined;

  constructor(
    readonly name: string,
    private readonly connect: () => Promise<Transporter>,
    private readonly message: { from: string; to: string[]; subjectPrefix: string },
    private readonly password: Secret | undefined,
  ) {}

  private smtp(): Promise<Transporter> {
    this.transport ??= this.connect();
    return this.transport;
  }

  async send(alerts: Alert[]): Promise<void> {
    const { subject, text, html } = emailMessage(alerts, this.message.subjectPrefix);
    try {
      await (await this.smtp()).sendMail({ from: this.message.from, to: this.message.to, subject, text, html });
    } catch (err) {
      const cause = this.scrub(err);
      throw new PreventionError(ErrorCodes.ALERT_DELIVERY_FAILED, `email sink "${this.name}" could not send: ${cause.message}`, { cause });
    }
  }

  /** Connects and logs in to the SMTP server (nodemailer's `verify`). */
  async health(): Promise<SinkHealth> {
    try {
      await (await this.smtp()).verify();
      return { ok: true, message: `email sink "${this.name}" can reach its SMTP server and log in` };
    } catch (err) {
      return { ok: false, message: `email sink "${this.name}" can not reach or log in to its SMTP server: ${this.scrub(err).message}` };
    }
  }

  async close(): Promise<void> {
    // A transport that could not be made has nothing to close; send() reported why.
    (await this.transport?.catch(() => undefined))?.close();
  }

  private scrub(err: unknown): Error {
    return this.password ? this.password.scrubError(err) : err instanceof Error ? err : new Error(String(err));
  }
}

/** A sink that sends alerts by email over SMTP (nodemailer). */
export function emailSink(options: EmailSinkOptions): SinkDefinition {
  const name = options.name ?? 'email';
  return {
    name,
    sendResolved: options.sendResolved ?? true,
    async create({ fs, cwd, keepSecret }) {
      const { auth } = options;
      const hasPassword = auth && (auth.pass !== undefined || auth.passEnv !== undefined || auth.passFile !== undefined);
      const password = hasPassword ? keepSecret(await readSecret({ value: auth.pass, env: auth.passEnv, file: auth.passFile }, `emailSink "${name}" password`, fs, cwd)) : undefined;
      // A server refusing the login may quote the user name back; it identifies the account.
      if (auth) keepSecret(new Secret(auth.user));
      const timeout = options.timeoutMs ?? 10_000;
      const connect = async (): Promise<Transporter> => (await import('nodemailer')).default.createTransport({
        host: options.host,
        port: options.port ?? (options.secure ? 465 : 587),
        secure: options.secure ?? false,
        requireTLS: options.requireTLS ?? false,
        tls: { rejectUnauthorized: options.rejectUnauthorized ?? true },
        ...(auth ? { auth: { user: auth.user, ...(password ? { pass: password.reveal() } : {}) } } : {}),
        connectionTimeout: timeout,
        greetingTimeout: timeout,
        socketTimeout: timeout,
        // nodemailer's own logger could print the AUTH exchange; prevention logs what matters itself.
        logger: false,
        debug: false,
      });
      return new EmailAlertSink(name, connect, { from: options.from, to: [options.to].flat(), subjectPrefix: options.subjectPrefix ?? '[prevention] ' }, password);
    },
  };
}
