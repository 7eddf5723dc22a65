import type { CommittedEvent, Store } from '../../store/store.js'

/** Open streams at most, per instance (beyond: 429). Each costs a socket and a little memory. */
export const DEFAULT_MAX_EVENT_STREAMS = 200
/** A comment line this often keeps proxies (which close silent connections) and the client's socket alive. */
export const DEFAULT_HEARTBEAT_MS = 15_000
/** A stream whose client reads slower than events come is closed past this much unsent data, not buffered on. */
export const MAX_BUFFERED_BYTES = 1_048_576

export interface EventStreamOptions {
  readonly maxStreams?: number
  readonly heartbeatMs?: number
}

/** One open stream: where its tenant's events are written. */
export interface EventSink {
  readonly tenantId: string
  /** Writes one event (a stream that cannot take it closes itself). */
  send(event: CommittedEvent): void
  /** Ends the stream (shutdown). */
  end(): void
}

/**
 * The live event streams of this instance (`GET /v1/events/stream`): each hears its tenant's events as the store
 * announces them, after the transaction that recorded them commits. Bounded in number; closed together on shutdown.
 * Per instance: with several instances behind a balancer, a stream hears what its own instance recorded.
 */
export class EventStreams {
  readonly maxStreams: number
  readonly heartbeatMs: number
  private readonly sinks = new Set<EventSink>()
  private stopListening: (() => void) | null = null

  constructor(
    private readonly store: Store,
    options: EventStreamOptions = {},
  ) {
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_EVENT_STREAMS
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS
  }

  get size(): number {
    return this.sinks.size
  }

  /** Adds a stream; false when the limit is reached (the caller answers 429). */
  open(sink: EventSink): boolean {
    if (this.sinks.size >= this.maxStreams) return false
    this.sinks.add(sink)
    // The store is listened to only while someone listens: no cost to a process nobody watches.
    this.stopListening ??= this.store.listen((event) => {
      this.dispatch(event)
    })
    return true
  }

  close(sink: EventSink): void {
    this.sinks.delete(sink)
    if (this.sinks.size === 0 && this.stopListening !== null) {
      this.stopListening()
      this.stopListening = null
    }
  }

  /** Ends every stream (before the server closes, which would otherwise wait for them). */
  closeAll(): void {
    for (const sink of [...this.sinks]) {
      sink.end()
      this.close(sink)
    }
  }

  private dispatch(event: CommittedEvent): void {
    for (const sink of this.sinks) if (sink.tenantId === event.tenantId) sink.send(event)
  }
}

/**
 * An event as Server-Sent Events frame it: `event` (the type) and the JSON body as `data` — one line per line
 * of the body, since a relayed Meta notification is passed on as Meta sent it, line breaks and all.
 */
export function sseFrame(event: CommittedEvent): string {
  const data = event.payload
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('')
  return `event: ${event.type}\n${data}\n`
}
