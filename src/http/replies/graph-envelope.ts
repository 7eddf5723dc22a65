import type { GraphError } from '../../domain/index.js'
import { ERRORS, type ErrorKey } from '../../shared/errors.js'

/** Who an envelope is for: the request's trace id, and WhatsApp's `error_data.messaging_product` where it adds it. */
export interface EnvelopeTrace {
  readonly traceId: string
  readonly product?: 'whatsapp' | null
}

/**
 * Graph's error envelope, as text: the one place it is written. `product` adds `error_data.messaging_product` as
 * WhatsApp does.
 */
export function graphErrorBody(
  error: GraphError | Omit<GraphError, 'subcode'>,
  trace: EnvelopeTrace,
): string {
  const subcode = 'subcode' in error ? error.subcode : null
  return JSON.stringify({
    error: {
      message: `(#${error.code}) ${error.title}`,
      type: 'OAuthException',
      code: error.code,
      ...(subcode === null ? {} : { error_subcode: subcode }),
      error_data: {
        ...(trace.product ? { messaging_product: trace.product } : {}),
        details: error.details,
      },
      fbtrace_id: trace.traceId,
    },
  })
}

/** One of carewindow's own errors (docs/errors.md) in Graph's envelope: what happened, then what to do. */
export function catalogueErrorBody(key: ErrorKey, details: string, trace: EnvelopeTrace): string {
  const entry = ERRORS[key]
  return graphErrorBody(
    { code: entry.code, title: entry.title, details: `${details}. ${entry.hint}`.replace(/\.\. /, '. ') },
    trace,
  )
}
