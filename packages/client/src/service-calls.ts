import type { BusEvent, CommitResult, DocumentVersion, EventQuery, JsonValue, WriteCondition } from '@prevention/core/contract';
import { ClientCodes, isClientError } from './client-error.js';
import { answerError, type ServiceAnswer, type ServiceRequest, type Transport } from './transport.js';

/** What `/v1/health` says. */
export interface ServiceHealth {
  status: 'ok';
  pid: number;
  root: string;
  version: string;
}

/** Timeouts and retries of the calls. */
export interface CallOptions {
  /** Give up waiting for an answer after this long; default 60 s (a commit may wait for a lock for 30 s). */
  timeoutMs: number;
  /** Attempts of a publish whose answer did not come (same Idempotency-Key each time); default 3. */
  publishAttempts: number;
}

/** The path of a file's endpoint: each segment percent-encoded, as the protocol asks. */
function endpointPath(kind: 'files' | 'events', file: string): string {
  return `/v1/${kind}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

function etagOf(sha256: string): string {
  return `"${sha256}"`;
}

/** The sha256 an ETag header carries. */
function shaOfEtag(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? undefined : /^"([0-9a-f]{64})"$/.exec(value)?.[1];
}

function conditionHeaders(condition: WriteCondition | undefined): Record<string, string> {
  if (condition?.ifMatch !== undefined) return { 'If-Match': etagOf(condition.ifMatch) };
  if (condition?.ifNoneMatch === '*') return { 'If-None-Match': '*' };
  return {};
}

/** Splits an NDJSON stream into events; blank lines are heartbeats. */
async function* ndjsonEvents(chunks: AsyncIterable<Buffer>): AsyncGenerator<BusEvent> {
  let pending = '';
  for await (const chunk of chunks) {
    pending += chunk.toString('utf8');
    let newline: number;
    while ((newline = pending.indexOf('\n')) !== -1) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (line !== '') yield JSON.parse(line) as BusEvent;
    }
  }
}

/** The protocol's calls, one method each, over a {@link Transport}. */
export class ServiceCalls {
  constructor(
    private readonly transport: Transport,
    private readonly options: CallOptions,
  ) {}

  async health(timeoutMs = 2_000): Promise<ServiceHealth> {
    return (await this.call({ method: 'GET', path: '/v1/health', timeoutMs }, [200])).body as ServiceHealth;
  }

  async readVersion<T>(file: string): Promise<DocumentVersion<T>> {
    const answer = await this.call({ method: 'GET', path: endpointPath('files', file) }, [200]);
    return { document: answer.body as T, sha256: shaOfEtag(answer.headers.etag) };
  }

  async write(file: string, document: unknown, condition?: WriteCondition): Promise<CommitResult> {
    return (await this.call({ method: 'PUT', path: endpointPath('files', file), body: document, headers: conditionHeaders(condition) }, [200])).body as CommitResult;
  }

  async patch(file: string, patch: JsonValue, kind: 'json-patch' | 'merge-patch', condition?: WriteCondition): Promise<CommitResult> {
    const request = { method: 'PATCH', path: endpointPath('files', file), body: patch, contentType: `application/${kind}+json`, headers: conditionHeaders(condition) };
    return (await this.call(request, [200])).body as CommitResult;
  }

  /**
   * Publishes with an Idempotency-Key. When no answer comes (a timeout, a broken connection),
   * the publish may or may not have been committed: it is sent again with the same key, which
   * the service answers with the first outcome instead of committing twice.
   */
  async publish(file: string, body: unknown, idempotencyKey: string): Promise<BusEvent | BusEvent[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.call({ method: 'POST', path: endpointPath('events', file), body, headers: { 'Idempotency-Key': idempotencyKey } }, [201])).body as BusEvent | BusEvent[];
      } catch (err) {
        if (!isClientError(err, ClientCodes.TRANSPORT) || attempt >= this.options.publishAttempts) throw err;
      }
    }
  }

  async events(file: string, query: EventQuery): Promise<{ events: BusEvent[]; lastSeq: number }> {
    const params = new URLSearchParams();
    if (query.since !== undefined) params.set('since', String(query.since));
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    for (const type of [query.type ?? []].flat()) params.append('type', type);
    for (const source of [query.source ?? []].flat()) params.append('source', source);
    const search = params.size > 0 ? `?${params}` : '';
    const answer = await this.call({ method: 'GET', path: `${endpointPath('events', file)}${search}` }, [200]);
    return { events: answer.body as BusEvent[], lastSeq: Number(answer.headers['prevention-last-seq'] ?? 0) };
  }

  async clearEvents(file: string): Promise<CommitResult> {
    return (await this.call({ method: 'DELETE', path: endpointPath('events', file) }, [200])).body as CommitResult;
  }

  /** Follows a file's events after `since` as NDJSON until the stream ends or `signal` fires. */
  async *follow(file: string, since: number, types: string[], signal: AbortSignal): AsyncGenerator<BusEvent> {
    const params = new URLSearchParams({ follow: '1', since: String(since) });
    for (const type of types) params.append('type', type);
    const res = await this.transport.stream({ method: 'GET', path: `${endpointPath('events', file)}?${params}`, headers: { Accept: 'application/x-ndjson' } }, signal);
    if (res.statusCode !== 200) {
      const chunks: Buffer[] = [];
      for await (const chunk of res as AsyncIterable<Buffer>) chunks.push(chunk);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      throw answerError({ status: res.statusCode ?? 0, headers: res.headers, body });
    }
    try {
      yield* ndjsonEvents(res as AsyncIterable<Buffer>);
    } finally {
      res.destroy();
    }
  }

  private async call(request: ServiceRequest, expected: number[]): Promise<ServiceAnswer> {
    const answer = await this.transport.send({ timeoutMs: this.options.timeoutMs, ...request });
    if (expected.includes(answer.status)) return answer;
    throw answerError(answer);
  }
}
