import type { Logger } from 'pino'
import type { MessagePatch, Store } from '../../store/store.js'
import { GroupCommit } from '../../store/group-commit.js'
import { keptResultJson, type KeptSendResult } from './send-result.js'

/** The Idempotency-Key a send was made under: what becomes of it goes with the message's outcome. */
export interface IdempotencyClaim {
  readonly tenantId: string
  readonly key: string
}

/** What becomes of the key: it keeps this result for every retry, or it is let go so a retry sends anew. */
export type KeyOutcome =
  { readonly kind: 'complete'; readonly result: KeptSendResult } | { readonly kind: 'release' }

/** What came of a forwarded message: Graph's id and status, or its error — and of its Idempotency-Key. */
export interface MessageOutcome {
  readonly id: string
  readonly patch: MessagePatch
  readonly key?: { readonly claim: IdempotencyClaim; readonly outcome: KeyOutcome }
}

/** Outcomes kept in memory at most while the database cannot take them; past it they are settled as unknown. */
const MAX_LATE = 10_000
const LATE_RETRY_BASE_MS = 500
const LATE_RETRY_MAX_MS = 30_000

/**
 * The outcomes of forwarded messages, group-committed: a send is answered once its outcome is stored (so a status
 * webhook for its Graph id finds it), and concurrent sends share the transaction. The message and its
 * Idempotency-Key change together.
 *
 * When the database cannot take an outcome (it dropped while Graph was answering), the message has gone out all
 * the same: the client is told what Graph said, and the outcome is kept here and written as soon as the database
 * answers again ({@link writeLater}). Until then the message stays `pending` and its key stays bound to it, so a
 * retry with the key waits or is told the outcome is unknown — it never sends again. If this process stops first,
 * the message is found `pending` and settled as unknown (send-reconciler.ts).
 */
export class MessageOutcomes extends GroupCommit<MessageOutcome> {
  private readonly late: MessageOutcome[] = []
  private lateTimer: NodeJS.Timeout | null = null
  private lateDelayMs = LATE_RETRY_BASE_MS

  constructor(
    store: Store,
    private readonly logger: Logger,
  ) {
    super((outcomes) =>
      store.transaction(async (tx) => {
        for (const outcome of outcomes) {
          await tx.updateMessage(outcome.id, outcome.patch)
          const key = outcome.key
          if (key === undefined) continue
          if (key.outcome.kind === 'release')
            await tx.releaseIdempotencyKey(key.claim.tenantId, key.claim.key)
          else
            await tx.completeIdempotencyKey(
              key.claim.tenantId,
              key.claim.key,
              keptResultJson(key.outcome.result),
            )
        }
      }),
    )
  }

  /** Outcomes waiting for the database. */
  get lateCount(): number {
    return this.late.length
  }

  /** Keeps an outcome the database could not take, and writes it once it can. */
  writeLater(outcome: MessageOutcome): void {
    if (this.late.length >= MAX_LATE) {
      this.logger.error(
        { message: outcome.id },
        'too many outcomes wait for the database; this one is left pending and settled as unknown later',
      )
      return
    }
    this.late.push(outcome)
    this.scheduleLate()
  }

  /** Writes what waits for the database now (at shutdown); what still cannot be written is left pending. */
  async flushLate(): Promise<void> {
    if (this.lateTimer !== null) clearTimeout(this.lateTimer)
    this.lateTimer = null
    await this.writeLate()
  }

  private scheduleLate(): void {
    if (this.lateTimer !== null || this.late.length === 0) return
    this.lateTimer = setTimeout(() => {
      this.lateTimer = null
      void this.writeLate().then(() => {
        this.scheduleLate()
      })
    }, this.lateDelayMs)
    this.lateTimer.unref()
  }

  private async writeLate(): Promise<void> {
    const waiting = this.late.splice(0)
    const failed: MessageOutcome[] = []
    for (const outcome of waiting) {
      try {
        await this.write(outcome)
      } catch {
        failed.push(outcome)
      }
    }
    this.late.unshift(...failed)
    this.lateDelayMs =
      failed.length > 0 ? Math.min(LATE_RETRY_MAX_MS, this.lateDelayMs * 2) : LATE_RETRY_BASE_MS
    if (waiting.length > failed.length)
      this.logger.info(
        { written: waiting.length - failed.length, waiting: failed.length },
        'outcomes of sends kept while the database was unreachable are recorded',
      )
  }
}
