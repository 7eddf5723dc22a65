import type { FastifyInstance, FastifyRequest } from 'fastify'
import { z } from 'zod'
import type { Gateway } from '../../../gateway/gateway.js'
import { GatewayError } from '../../../shared/errors.js'
import { contactWindow, decodeCursor, listContactWindows } from '../../../gateway/api/contact-windows.js'
import { documentedZod } from '../../openapi/request-schemas.js'
import {
  channelParamsSchema,
  contactParamsSchema,
  jsonObject,
  parseInput,
  responses,
  tenantChannel,
  tenantContact,
  type ChannelParams,
  type ContactParams,
} from './shared.js'
import { READS } from '../../route-access.js'

export const MAX_PAGE_SIZE = 500
export const DEFAULT_PAGE_SIZE = 50

const listQuerySchema = z.strictObject({
  state: z
    .enum(['open', 'closed'], 'state must be open or closed')
    .optional()
    .describe('Only contacts whose window is in this state'),
  expires_within: z.coerce
    .number('expires_within must be a whole number of seconds from 1 to 604800')
    .int('expires_within must be a whole number of seconds from 1 to 604800')
    .min(1, 'expires_within must be a whole number of seconds from 1 to 604800')
    .max(604_800, 'expires_within must be a whole number of seconds from 1 to 604800')
    .optional()
    .meta({
      description:
        'Only contacts whose window is open now and closes within this many seconds (3600: within the hour)',
      examples: [3600],
    }),
  q: z
    .string()
    .trim()
    .min(1, 'q must not be empty')
    .max(100, 'q is at most 100 characters')
    .optional()
    .meta({
      description:
        'Search: contacts whose id (the number, without +) starts with q, or whose profile name contains q (any case)',
      examples: ['3161', 'sanne'],
    }),
  opted_out: z
    .enum(['true', 'false'], 'opted_out must be true or false')
    .optional()
    .describe('true: only contacts with an opt-out not withdrawn by a later opt-in of the same scope'),
  has_open_case: z
    .enum(['true', 'false'], 'has_open_case must be true or false')
    .optional()
    .describe('true: only contacts with a case that is not resolved (open or pending)'),
  has_held_reply: z
    .enum(['true', 'false'], 'has_held_reply must be true or false')
    .optional()
    .describe('true: only contacts with a held reply still waiting for them to write (status held)'),
  sort: z
    .enum(['expires_at', 'contact_id'], 'sort must be expires_at or contact_id')
    .default('expires_at')
    .describe('Soonest expiry first, or by contact id'),
  limit: z.coerce
    .number(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .int(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .min(1, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .max(MAX_PAGE_SIZE, `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`)
    .default(DEFAULT_PAGE_SIZE)
    .describe('Contacts per page'),
  cursor: z.string().optional().describe('paging.next_cursor of the previous page'),
  access_token: z.string().optional(),
})

const windowExample = {
  state: 'open',
  type: 'customer_care',
  opened_at: '2024-03-01T10:00:00.000Z',
  last_user_message_at: '2024-03-01T10:00:00.000Z',
  expires_at: '2024-03-02T10:00:00.000Z',
  seconds_left: 86100,
  free_entry_point_expires_at: null,
}

/** A contact's window, and the channel's contacts with theirs. */
export function registerContactRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/channels/:channelId/contacts/:contactId/window',
    {
      config: READS,
      schema: {
        operationId: 'getContactWindow',
        summary: 'A contact’s window now',
        description:
          'Whether the customer care window is open, its type, when it opened, the last user message, when it expires and the seconds left; Messenger adds the human-agent horizon and the 24+1 allowance. A contact never heard from has a closed window with null instants.',
        tags: ['windows'],
        ...documentedZod({ params: contactParamsSchema }),
        response: responses({
          200: jsonObject('The window', {
            contact_id: '31612345678',
            channel_id: '106540352242922',
            platform: 'whatsapp',
            ...windowExample,
          }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ContactParams }>) => {
      const { channel, contactId } = await tenantContact(gateway, request)
      return contactWindow(gateway, channel, contactId)
    },
  )

  app.get(
    '/v1/channels/:channelId/contacts',
    {
      config: READS,
      schema: {
        operationId: 'listContacts',
        summary: 'List contacts with their windows',
        description:
          'The channel’s contacts that have a window (they wrote, or were written to), with country, profile name and the window now. Filter by state, by closing soon (expires_within seconds), by opt-out (opted_out=true), by an open case (has_open_case=true), by a held reply waiting (has_held_reply=true), and search by number or name (q); sort by expiry (soonest first, default) or contact id; page with limit (1–500, default 50) and the opaque paging.next_cursor, null on the last page.',
        tags: ['windows'],
        ...documentedZod({ params: channelParamsSchema, querystring: listQuerySchema }),
        response: responses({
          200: jsonObject('A page of contacts', {
            data: [
              {
                contact_id: '31612345678',
                country: 'NL',
                profile_name: 'Sanne',
                window: windowExample,
              },
            ],
            paging: { next_cursor: 'WzE3MDkzNzM2MDAwMDAsIjMxNjEyMzQ1Njc4Il0' },
          }),
        }),
      },
    },
    async (request: FastifyRequest<{ Params: ChannelParams }>) => {
      const { channel } = await tenantChannel(gateway, request)
      const query = parseInput(listQuerySchema, request.query)
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor)
      if (query.cursor !== undefined && after === undefined)
        throw new GatewayError(
          'INVALID_REQUEST',
          'cursor: not a cursor carewindow gave out; pass paging.next_cursor of the previous page as it is',
        )
      return listContactWindows(gateway, channel, {
        sort: query.sort,
        limit: query.limit,
        ...(query.state === undefined ? {} : { state: query.state }),
        ...(query.expires_within === undefined ? {} : { expiresWithinSeconds: query.expires_within }),
        // A search for "+31 6…" means the number: carewindow keys contacts without + or spaces.
        ...(query.q === undefined ? {} : { search: searchText(query.q) }),
        ...(query.opted_out === 'true' ? { optedOut: true } : {}),
        ...(query.has_open_case === 'true' ? { hasOpenCase: true } : {}),
        ...(query.has_held_reply === 'true' ? { hasHeldReply: true } : {}),
        ...(after === undefined ? {} : { after }),
      })
    },
  )
}

/** A number as typed (`+31 6-1234`) searches as carewindow keys contacts (`3161234`); a name stays as it is. */
function searchText(q: string): string {
  return /^[+\d\s().-]+$/.test(q) ? q.replace(/[^\d]/g, '') || q : q
}
