import { jsonDepthExceeds } from '../channels/bounded-json.js'

/**
 * Stored JSON text as the value it holds, for an answer. Text that is not JSON (an upstream's HTML error page) is
 * shown as the text it is, and so is JSON nested deeper than carewindow takes in a request (a body stored before
 * that limit, or nested in a Messenger form field): answering with its value would recurse past the stack's limit
 * and make the record answer 500 for ever.
 */
export function storedJson(text: string): unknown {
  if (jsonDepthExceeds(Buffer.from(text))) return text
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

/** {@link storedJson} of a column that may be empty: `null` stays `null`. */
export function storedJsonOrNull(text: string | null): unknown {
  return text === null ? null : storedJson(text)
}
