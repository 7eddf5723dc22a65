import type { FastifyInstance } from 'fastify'
import type { Gateway } from '../../../gateway/gateway.js'
import { tenantChannels } from '../../../gateway/api/channels.js'
import { authenticate } from '../../auth.js'
import { jsonObject, responses } from './shared.js'
import { READS } from '../../route-access.js'

/** `GET /v1/channels`: the caller's channels. */
export function registerChannelRoutes(app: FastifyInstance, gateway: Gateway): void {
  app.get(
    '/v1/channels',
    {
      config: READS,
      schema: {
        operationId: 'listChannels',
        summary: 'List your channels',
        description:
          'The WhatsApp numbers and Messenger Pages of the API key’s tenant: platform, id (phone_number_id or Page id), upstream mode (cloud or sandbox) and policy settings. Tokens and secrets are never shown.',
        tags: ['channels'],
        response: responses(
          {
            200: jsonObject('The channels', {
              data: [
                {
                  platform: 'whatsapp',
                  id: '106540352242922',
                  upstream: 'cloud',
                  settings: { issue_resolution_without_opt_in: true },
                  created_at: '2024-03-01T10:00:00.000Z',
                  updated_at: '2024-03-01T10:00:00.000Z',
                },
              ],
            }),
          },
          [401],
        ),
      },
    },
    async (request) => {
      const tenant = await authenticate(gateway, request)
      return { data: await tenantChannels(gateway.store, tenant.id) }
    },
  )
}
