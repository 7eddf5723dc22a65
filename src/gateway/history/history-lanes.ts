import type { HistoryNotification } from './history-line.js'

/**
 * Notifications applied in lanes, a batch at a time in each: a contact's notifications always go to the same lane, in
 * the file's order, so each contact's history is applied exactly as it would be in one lane; lanes run side by side,
 * as the inbox's workers do on PostgreSQL, and never wait for each other's contacts' rows. A lane starts its next
 * batch once its previous one has committed; the file is read no further ahead than one batch per lane.
 */
export class HistoryLanes {
  private readonly pending: HistoryNotification[][]
  private readonly running: Promise<void>[]
  private failure: { readonly error: unknown } | null = null

  constructor(
    private readonly lanes: number,
    private readonly batchSize: number,
    /** Applies one batch; a rejection ends the import (see {@link finish}). */
    private readonly apply: (batch: readonly HistoryNotification[]) => Promise<void>,
  ) {
    this.pending = Array.from({ length: lanes }, () => [])
    this.running = Array.from({ length: lanes }, () => Promise.resolve())
  }

  async add(notification: HistoryNotification): Promise<void> {
    this.throwIfFailed()
    const lane = laneOf(notification, this.lanes)
    const pending = this.pending[lane] as HistoryNotification[]
    pending.push(notification)
    if (pending.length >= this.batchSize) await this.dispatch(lane)
  }

  /** Applies what is left and waits for every lane; throws the first failure of any. */
  async finish(): Promise<void> {
    for (let lane = 0; lane < this.lanes; lane++)
      if (this.pending[lane]?.length !== 0) await this.dispatch(lane)
    await this.settle()
    this.throwIfFailed()
  }

  /** Waits for the batches under way, whatever comes of them (the import is ending). */
  async settle(): Promise<void> {
    await Promise.all(this.running)
  }

  private async dispatch(lane: number): Promise<void> {
    const batch = this.pending[lane] ?? []
    this.pending[lane] = []
    await this.running[lane]
    this.throwIfFailed()
    this.running[lane] = this.apply(batch).catch((error: unknown) => {
      this.failure ??= { error }
    })
  }

  private throwIfFailed(): void {
    if (this.failure !== null) throw this.failure.error
  }
}

/**
 * The lane of a notification: by its first subject (a contact: its messages and preferences), else by the recipient
 * of its statuses (the same contact's subject), else anywhere (by its digest).
 */
function laneOf(notification: HistoryNotification, lanes: number): number {
  if (lanes === 1) return 0
  const [status] = notification.statuses
  const key =
    notification.subjects[0] ??
    (status === undefined ? notification.digest : `whatsapp:${status.channel.externalId}:${status.contactId}`)
  let hash = 0
  for (let index = 0; index < key.length; index++) hash = (hash * 31 + key.charCodeAt(index)) | 0
  return Math.abs(hash) % lanes
}
