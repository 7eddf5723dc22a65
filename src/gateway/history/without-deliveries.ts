import type { Store } from '../../store/store.js'

/**
 * The store as history is applied through it: everything is written as the inbox writes it, except the outbox.
 * Imported notifications are not relayed again, and the events they would raise are not sent: the business heard
 * of that traffic when it happened (through whatever gateway it had then), and a flood of old notifications and
 * events would look new to it. Timed work for windows still open today is scheduled as for any message.
 */
export function withoutDeliveries(store: Store): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'enqueueDeliveries') return () => Promise.resolve()
      if (property === 'transaction')
        return <T>(work: (tx: Store) => Promise<T>) => target.transaction((tx) => work(withoutDeliveries(tx)))
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}
