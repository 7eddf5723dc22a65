/**
 * The subjects decisions are waiting for (see Inbox.drain), served in turn: each batch the inbox takes for a
 * waiting decision is for the next one's subjects, so one contact's backlog does not keep another's waiting. When
 * a batch for subjects finds nothing (another worker holds their notifications), the next batch takes the oldest
 * notifications instead.
 */
export class WaitingDecisions {
  /** By key (the subjects joined), with how many decisions wait for them. */
  private readonly waiting = new Map<string, { readonly subjects: readonly string[]; count: number }>()
  private isSkipped = false

  /** Whether any decision is waiting. */
  get isAnyWaiting(): boolean {
    return this.waiting.size > 0
  }

  /** A decision starts waiting for `subjects`; the returned function says it has stopped. */
  add(subjects: readonly string[]): () => void {
    const key = subjects.join('\n')
    const known = this.waiting.get(key)
    if (known === undefined) this.waiting.set(key, { subjects, count: 1 })
    else known.count++
    let isDone = false
    return () => {
      const entry = this.waiting.get(key)
      if (isDone || entry === undefined) return
      isDone = true
      if (--entry.count === 0) this.waiting.delete(key)
    }
  }

  /** The subjects the next batch is for, or `undefined` for the oldest notifications. */
  next(): readonly string[] | undefined {
    if (this.isSkipped) {
      this.isSkipped = false
      return undefined
    }
    const first = this.waiting.entries().next()
    if (first.done === true) return undefined
    const [key, entry] = first.value
    // Moved to the back: the next batch serves the next decision's subjects.
    this.waiting.delete(key)
    this.waiting.set(key, entry)
    return entry.subjects
  }

  /** A batch for subjects found nothing to take: the next one takes the oldest notifications. */
  skipNext(): void {
    this.isSkipped = true
  }
}
