/**
 * Whether stores catch a query made on the root store from inside one of its own transactions (on SQLite it would
 * wait for that transaction for ever): on in tests (Vitest sets `NODE_ENV=test`) and with
 * `CAREWINDOW_CHECK_TRANSACTIONS=1`. Off in production: the check keeps an `AsyncLocalStorage`, whose promise hooks
 * tax every promise in the process (a tenth of a webhook's cost). Read when a store is opened, not at import.
 */
export function transactionsCheckedByDefault(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.NODE_ENV === 'test' || env.CAREWINDOW_CHECK_TRANSACTIONS === '1'
}
