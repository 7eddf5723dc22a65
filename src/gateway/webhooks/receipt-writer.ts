import type { NewReceipt, Store } from '../../store/store.js'
import { GroupCommit } from '../../store/group-commit.js'

/**
 * Webhook receipts, group-committed: every request waits until its body is durably stored (that is when
 * carewindow may answer 200), and a storm's receipts share transactions. `onStored` wakes the processor.
 */
export class ReceiptWriter extends GroupCommit<NewReceipt> {
  constructor(store: Store, onStored: () => void) {
    super(async (receipts) => {
      await store.insertReceipts(receipts)
    }, onStored)
  }
}
