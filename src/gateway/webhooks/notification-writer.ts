import type { NewNotification, Store } from '../../store/store.js'
import { GroupCommit } from '../../store/group-commit.js'

/**
 * Webhook notifications, group-committed: every request waits until its body is durably stored (that is when
 * carewindow may answer 200), and a storm's notifications share transactions. `onStored` wakes the processor.
 */
export class NotificationWriter extends GroupCommit<NewNotification> {
  constructor(store: Store, onStored: () => void) {
    super(async (notifications) => {
      await store.insertNotifications(notifications)
    }, onStored)
  }
}
