import { ErrorCodes, PreventionError, type BusEvent, type EngineApi, type EventQuery, type JsonObject, type JsonValue, type MessageBusApi, type PublishInput } from '@prevention/core';
import { followEvents, type StreamFormat } from './event-stream.js';
import { jsonBodyOf, type Exchange } from './exchange.js';
import { IdempotencyKeys } from './idempotency-keys.js';
import { PublishRounds } from './publish-rounds.js';
import { requireMediaType } from './request-body.js';
import { RequestError } from './request-error.js';
import { etagOf, sendJson } from './responses.js';

/** A whole number query parameter (or header) at least `min`, or undefined when absent. */
function wholeNumber(name: string, value: string | null | undefined, min: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(parsed) || parsed < min) {
    throw new RequestError(ErrorCodes.BAD_REQUEST, `${name} must be a whole number of at least ${min}, not ${JSON.stringify(value)}`, `for example ${name}=${min}`, undefined, { details: { parameter: name } });
  }
  return parsed;
}

/** What a stream request asks for: SSE when it accepts `text/event-stream`, else NDJSON. */
function streamFormatOf(accept: string | undefined): StreamFormat {
  return accept !== undefined && accept.toLowerCase().includes('text/event-stream') ? 'sse' : 'ndjson';
}

function isObject(value: JsonValue): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The publish inputs of a POST body: one object or an array of them. Their content is the bus's to check. */
function publishInputsOf(body: JsonValue): { inputs: PublishInput[]; many: boolean } {
  const many = Array.isArray(body);
  const items = many ? body : [body];
  items.forEach((item, index) => {
    if (!isObject(item)) {
      throw new RequestError(ErrorCodes.BAD_REQUEST, `event ${index} is not an object`, 'send { "type", "source", "payload"?, "correlationId"? } or an array of them', undefined, { details: { index } });
    }
  });
  return { inputs: items as unknown as PublishInput[], many };
}

/**
 * `/v1/events/{file}`: the file's message bus. POST publishes (one event or an array in one
 * commit; `Idempotency-Key` answers a retry with the first answer), GET lists or follows
 * (NDJSON or SSE), DELETE clears the events through the pipeline.
 */
export class EventRoutes {
  /** One bus per file: each keeps its follower, so streams on a file share one. */
  private readonly buses = new Map<string, MessageBusApi>();
  private readonly published = new IdempotencyKeys<BusEvent | BusEvent[]>();
  private readonly rounds: PublishRounds;

  constructor(
    private readonly engine: EngineApi,
    private readonly maxBodyBytes: number,
    private readonly heartbeatMs: number,
    private readonly stopping: AbortSignal,
    joinWaitMs: number,
  ) {
    this.rounds = new PublishRounds(joinWaitMs);
  }

  async post(exchange: Exchange): Promise<void> {
    requireMediaType(exchange.req, ['application/json']);
    const { bytes, value } = await jsonBodyOf(this.engine, exchange, this.maxBodyBytes);
    const { inputs, many } = publishInputsOf(value);
    const bus = this.busOf(exchange.file);
    const publish = (): Promise<BusEvent | BusEvent[]> => (many ? bus.publishMany(inputs) : bus.publish(inputs[0]!));
    const key = exchange.req.headers['idempotency-key'];
    if (Array.isArray(key) || key === '') throw new RequestError(ErrorCodes.BAD_REQUEST, 'send one non-empty Idempotency-Key', 'one key per publish; the same key only to retry it');
    const client = exchange.req.socket;
    await this.rounds.arrived(exchange.file, client);
    const answer = key === undefined ? await publish() : await this.published.run(exchange.file, key, bytes, publish);
    sendJson(exchange.res, 201, answer);
    this.rounds.answered(exchange.file, client);
  }

  async get(exchange: Exchange): Promise<void> {
    const { req, res, query } = exchange;
    const types = query.getAll('type');
    const sources = query.getAll('source');
    const follow = query.get('follow');
    if (follow === '1' || follow === 'true') {
      const format = streamFormatOf(req.headers.accept);
      const lastEventId = format === 'sse' ? req.headers['last-event-id'] : undefined;
      const since = wholeNumber('since', query.get('since'), 0) ?? wholeNumber('Last-Event-ID', Array.isArray(lastEventId) ? lastEventId[0] : lastEventId, 0);
      await followEvents(req, res, this.busOf(exchange.file), { format, since, types, sources, heartbeatMs: this.heartbeatMs, stopping: this.stopping });
      return;
    }
    const since = wholeNumber('since', query.get('since'), 0);
    const limit = wholeNumber('limit', query.get('limit'), 1);
    const eventQuery: EventQuery = {
      ...(since === undefined ? {} : { since }),
      ...(limit === undefined ? {} : { limit }),
      ...(types.length > 0 ? { type: types } : {}),
      ...(sources.length > 0 ? { source: sources } : {}),
    };
    const bus = this.busOf(exchange.file);
    const [events, lastSeq] = await Promise.all([bus.events(eventQuery), bus.lastSeq()]);
    // The newest seq of the whole file, whatever the filters kept: where a follower starts from.
    sendJson(res, 200, events, { 'Prevention-Last-Seq': String(lastSeq) });
  }

  /**
   * Clears the events and keeps the rest of the document. Archived events stay in the archive,
   * so the next seq continues after them; with no archive, seqs start again from 1.
   */
  async delete({ res, file }: Exchange): Promise<void> {
    const result = await this.engine.update(file, (draft) => {
      if (!isObject(draft) || !Array.isArray(draft.events)) {
        throw new PreventionError(ErrorCodes.UPDATER_FAILED, `${file} is not a shared context (an object with an "events" array); nothing was committed`, { file });
      }
      draft.events = [];
    });
    sendJson(res, 200, result, { ETag: etagOf(result.sha256) });
  }

  /** Stops every follower. */
  async close(): Promise<void> {
    await Promise.all([...this.buses.values()].map((bus) => bus.close()));
    this.buses.clear();
  }

  private busOf(file: string): MessageBusApi {
    let bus = this.buses.get(file);
    if (!bus) {
      bus = this.engine.bus(file);
      this.buses.set(file, bus);
    }
    return bus;
  }
}
