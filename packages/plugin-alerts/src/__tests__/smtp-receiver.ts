import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A message the receiver accepted. */
export interface ReceivedMail {
  mail: ParsedMail;
  /** SMTP envelope recipients. */
  recipients: string[];
  user: string | undefined;
}

/** A real SMTP server on 127.0.0.1 that requires a login and parses what it receives. */
export class SmtpReceiver {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;

  /** `echo`: refuse a bad login with a reply that repeats the user and password tried, as some servers do. */
  constructor(
    private readonly user: string,
    private readonly password: string,
    private readonly options: { echo?: boolean } = {},
  ) {}

  /** Starts listening on `port` (0 for any); returns the port. */
  async start(port = 0): Promise<number> {
    this.server = new SMTPServer({
      logger: false,
      // Plain SMTP on loopback: the test is about login, content and recovery, not TLS.
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) => {
        if (auth.username === this.user && auth.password === this.password) callback(null, { user: auth.username });
        else callback(new Error(this.options.echo ? `Invalid login ${auth.username}:${auth.password}` : 'Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.received.push({ mail, recipients: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined });
            callback();
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}
