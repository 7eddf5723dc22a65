import type { Logger } from 'pino'
import type { Store } from '../../store/store.js'
import type { Clock } from '../../shared/clock.js'
import type { Directory } from '../directory.js'
import { ALLOW_REASONS, type AllowReason } from '../../domain/index.js'
import { keptResultJson, type OutcomeUnknown } from './send-result.js'

/** Stale sends settled per round. */
const BATCH = 100

/**
 * Settles sends whose outcome was never recorded. A message is recorded `pending` before it goes upstream and its
 * outcome is written when Graph answers; one still `pending` long after it could have been answered belongs to a
 * send that stopped half-way — its process died, or the database was unreachable when Graph answered and the
 * process stopped before it could write it. Graph may have taken it: it becomes `unknown`, and the Idempotency-Key
 * it was sent under keeps that result, so no retry sends it again. Every instance settles (the change is
 * conditional on `pending`, so two never settle one message differently); at start, and every `intervalMs`.
 */
export class SendReconciler {
  private timer: NodeJS.Timeout | null = null
  private running: Promise<void> | null = null

  constructor(
    private readonly store: Store,
    private readonly directory: Directory,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** A send not answered after this long (ms) has stopped: twice the longest a send can take. */
    readonly staleAfterMs: number,
  ) {}

  start(intervalMs: number): void {
    if (this.timer !== null) return
    const round = (): void => {
      this.running ??= this.sweep()
        .then(
          () => undefined,
          (error: unknown) => {
            this.logger.warn({ err: error }, 'settling stale sends failed; will retry')
          },
        )
        .finally(() => {
          this.running = null
        })
    }
    // What a crash left is settled at start too, not only a round later.
    round()
    this.timer = setInterval(round, intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    await this.running
  }

  /** Settles the stale sends there are now; returns how many. */
  async sweep(): Promise<number> {
    let settled = 0
    for (;;) {
      const stale = await this.store.listStaleSends(this.clock() - this.staleAfterMs, BATCH)
      for (const send of stale) await this.settle(send.id)
      settled += stale.length
      if (stale.length < BATCH) break
    }
    if (settled > 0)
      this.logger.warn(
        { messages: settled },
        'sends whose outcome was never recorded are settled as unknown: Graph may have taken them',
      )
    return settled
  }

  /**
   * Settles one send, if it is still `pending`, and answers its Idempotency-Key (if it has one still waiting) with
   * the unknown outcome.
   */
  async settle(messageId: string): Promise<void> {
    const message = await this.store.getMessage(messageId)
    if (message === undefined) return
    const channel =
      (await this.directory.channelById(message.channelId)) ??
      (await this.store.listChannels()).find((candidate) => candidate.id === message.channelId)
    // Messages go with their channel (the rows cascade): there is nothing left to settle.
    if (channel === undefined) return
    if (message.allowed !== true || !isAllowReason(message.reason))
      throw new Error(`message ${messageId} was never allowed, so never forwarded: it has no send to settle`)
    const problem = `no outcome was recorded within ${Math.round(this.staleAfterMs / 1000)} s of forwarding it (the process sending it stopped, or the database was unreachable when Graph answered)`
    const result: OutcomeUnknown = {
      kind: 'outcome_unknown',
      messageId,
      decision: { allowed: true, reason: message.reason },
      platform: channel.platform,
      // No request is left to name: the message's id stands for it.
      traceId: messageId,
      problem,
    }
    await this.store.transaction(async (tx) => {
      const current = await tx.getMessage(messageId)
      if (current?.status === 'pending')
        await tx.updateMessage(messageId, {
          status: 'unknown',
          statusAt: this.clock(),
          errorJson: JSON.stringify({ upstream: problem }),
        })
      await tx.completeIdempotencyKeyOfMessage(messageId, keptResultJson(result))
    })
  }
}

function isAllowReason(reason: string | null): reason is AllowReason {
  return (ALLOW_REASONS as readonly (string | null)[]).includes(reason)
}
