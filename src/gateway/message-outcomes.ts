import type { MessagePatch, Store } from '../store/store.js'
import { GroupCommit } from '../store/group-commit.js'

/** What came of a forwarded message: Graph's id and status, or its error. */
export interface MessageOutcome {
  readonly id: string
  readonly patch: MessagePatch
}

/**
 * The outcomes of forwarded messages, group-committed: a send is answered once its outcome is stored (so a status
 * webhook for its Graph id finds it), and concurrent sends share the transaction.
 */
export class MessageOutcomes extends GroupCommit<MessageOutcome> {
  constructor(store: Store) {
    super((outcomes) =>
      store.transaction(async (tx) => {
        for (const outcome of outcomes) await tx.updateMessage(outcome.id, outcome.patch)
      }),
    )
  }
}
