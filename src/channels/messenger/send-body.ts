import { z } from 'zod'
import type { MessagingType, MessengerIntent, MessengerSender } from '../../domain/index.js'
import { WIRE_LIMITS } from '../wire-limits.js'
import { describeIssues } from '../../shared/validation.js'
import { invalidParameter as invalid, type Parsed } from '../wire-problem.js'

/** A Messenger Send API request body, validated. */
export type MessengerSendRequest =
  | {
      readonly kind: 'message'
      /** The user's page-scoped id (PSID). */
      readonly recipientId: string
      readonly messagingType: MessagingType
      readonly tag: string | null
    }
  /** `typing_on`, `typing_off`, `mark_seen`: not messages, never billed, only useful inside the window. */
  | { readonly kind: 'sender_action'; readonly recipientId: string; readonly action: string }

const bodySchema = z.looseObject({
  recipient: z.looseObject(
    {
      id: z
        .union(
          [
            z
              .string()
              .min(1)
              .max(
                WIRE_LIMITS.contactIdLength,
                `recipient.id is a page-scoped id (PSID) of at most ${WIRE_LIMITS.contactIdLength} characters`,
              ),
            // A PSID above 2^53 has already lost digits in JSON.parse; keying a window on it would pick the wrong user.
            z
              .number()
              .refine(
                Number.isSafeInteger,
                'a numeric recipient.id must be a whole number below 2^53; send the PSID as a string',
              ),
          ],
          "the user's page-scoped id (PSID), as a string",
        )
        .transform(String),
    },
    {
      error: '"recipient" must be {"id": "<PSID>"}',
    },
  ),
  messaging_type: z.enum(['RESPONSE', 'UPDATE', 'MESSAGE_TAG']).optional(),
  tag: z.string().min(1).max(WIRE_LIMITS.wordLength).optional(),
  message: z.looseObject({}).optional(),
  sender_action: z.enum(['typing_on', 'typing_off', 'mark_seen']).optional(),
})

/** Validates a Send API body. `messaging_type` is required for messages, as Meta requires it since 2018. */
export function parseMessengerSend(body: unknown): Parsed<MessengerSendRequest> {
  const parsed = bodySchema.safeParse(body)
  if (!parsed.success) return invalid(describeIssues(parsed.error).join('; '))
  const request = parsed.data
  const recipientId = request.recipient.id
  if (request.sender_action !== undefined) {
    return { ok: true, value: { kind: 'sender_action', recipientId, action: request.sender_action } }
  }
  if (request.message === undefined) return invalid('a message needs "message" (or "sender_action")')
  if (request.messaging_type === undefined)
    return invalid(
      '"messaging_type" is required: RESPONSE or UPDATE inside the window, MESSAGE_TAG with a "tag" outside it',
    )
  return {
    ok: true,
    value: { kind: 'message', recipientId, messagingType: request.messaging_type, tag: request.tag ?? null },
  }
}

/** The intent `decide` judges for a parsed Send API message. */
export function messengerIntent(
  request: Extract<MessengerSendRequest, { kind: 'message' }>,
  sender: MessengerSender,
): MessengerIntent {
  return {
    platform: 'messenger',
    kind: 'message',
    messagingType: request.messagingType,
    tag: request.tag,
    sender,
  }
}
