import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Platform } from '../../domain/index.js'
import { isValidSignature } from '../../channels/signature.js'
import type { Gateway } from '../../gateway/gateway.js'
import { GatewayError } from '../../shared/errors.js'
import { verifyWebhook, type VerifiedSubscription } from '../../gateway/webhooks/webhook-intake.js'
import type { ChannelRecord } from '../../store/store.js'
import { sendReply, type HttpReply } from '../replies/http-reply.js'
import { graphErrorResponses, sharedResponses } from '../openapi/responses.js'
import { documentedRequest, schemaRef } from '../openapi/schemas.js'

/**
 * Meta's webhook endpoints for each platform: the verification handshake and signed notifications, at the
 * platform's path (any of its channels' verify_token and app secret) and at each channel's own path
 * (`/webhooks/{platform}/{channel_external_id}`: only that channel's). They live in a
 * scope of their own whose JSON parser only keeps the raw bytes: the signature is checked over them before
 * anything is parsed, and the intake parses what it stores once, not twice.
 */
export async function registerWebhookRoutes(app: FastifyInstance, gateway: Gateway): Promise<void> {
  await app.register((scope, _options, done) => {
    scope.removeContentTypeParser('application/json')
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, parsed) => {
      request.rawBody = body
      parsed(null, undefined)
    })
    routes(scope, gateway)
    done()
  })
}

const CHANNEL_PARAMS = {
  type: 'object',
  properties: {
    channel_external_id: {
      type: 'string',
      pattern: '^[0-9]{1,32}$',
      description: 'The channel’s phone_number_id (WhatsApp) or Page id (Messenger)',
    },
  },
  required: ['channel_external_id'],
} as const

const PLATFORM_NAMES: Readonly<Record<Platform, string>> = { whatsapp: 'WhatsApp', messenger: 'Messenger' }

const VERIFICATION_QUERY = {
  type: 'object',
  properties: {
    'hub.mode': { type: 'string', const: 'subscribe', description: 'Always subscribe' },
    'hub.verify_token': { type: 'string', description: 'The channel’s verify_token' },
    'hub.challenge': { type: 'string', description: 'Answered back as it is', examples: ['1158201444'] },
  },
  required: ['hub.mode', 'hub.verify_token', 'hub.challenge'],
} as const

const VERIFICATION_RESPONSES = {
  200: {
    description: 'The token matches: hub.challenge, as text.',
    content: { 'text/plain': { schema: { type: 'string' }, example: '1158201444' } },
  },
  ...sharedResponses('VerificationFailed'),
} as const

/** What a notification route takes and answers; the intake checks the signature over the raw bytes first. */
const NOTIFICATION_SCHEMA = {
  ...documentedRequest({
    headers: {
      type: 'object',
      properties: {
        'x-hub-signature-256': {
          type: 'string',
          pattern: '^sha256=[0-9a-fA-F]{64}$',
          description: 'sha256=<hex HMAC-SHA256 of the raw body, keyed with the app secret>, as Meta signs',
        },
      },
      required: ['x-hub-signature-256'],
    },
    body: { content: { 'application/json': { schema: schemaRef('MetaNotification') } } },
  }),
  response: {
    200: {
      description:
        'Durably stored: it is applied (windows, statuses, consent, templates) and relayed to the tenant right after.',
      content: { 'text/plain': { schema: { type: 'string', const: 'EVENT_RECEIVED' } } },
    },
    ...graphErrorResponses([400]),
    ...sharedResponses('InvalidSignature'),
  },
} as const

type ChannelRequest = FastifyRequest<{ Params: { channel_external_id: string } }>

function routes(app: FastifyInstance, gateway: Gateway): void {
  for (const platform of ['whatsapp', 'messenger'] as const satisfies readonly Platform[]) {
    app.get(
      `/webhooks/${platform}`,
      {
        schema: {
          operationId: `verify${PLATFORM_NAMES[platform]}Webhook`,
          summary: `Meta webhook verification (${platform}), any channel’s verify_token`,
          description: `Accepts the verify_token of any ${platform} channel; prefer /webhooks/${platform}/{channel_external_id}, which accepts only that channel’s.`,
          tags: ['webhooks'],
          security: [],
          ...documentedRequest({ querystring: VERIFICATION_QUERY }),
          response: VERIFICATION_RESPONSES,
        },
      },
      async (request, reply) =>
        sendReply(
          reply,
          challengeReply(await gateway.verifyWebhook(platform, request.query as Record<string, unknown>)),
        ),
    )
    app.get(
      `/webhooks/${platform}/:channel_external_id`,
      {
        schema: {
          operationId: `verify${PLATFORM_NAMES[platform]}ChannelWebhook`,
          summary: `Meta webhook verification (${platform}) for one channel`,
          description:
            'Answers hub.challenge only for this channel’s verify_token (403 otherwise, also for an unknown channel).',
          tags: ['webhooks'],
          security: [],
          params: CHANNEL_PARAMS,
          ...documentedRequest({ querystring: VERIFICATION_QUERY }),
          response: VERIFICATION_RESPONSES,
        },
      },
      async (request: ChannelRequest, reply) =>
        sendReply(
          reply,
          challengeReply(
            await verifyWebhook(
              gateway.directory,
              platform,
              request.query as Record<string, unknown>,
              request.params.channel_external_id,
            ),
          ),
        ),
    )
    app.post(
      `/webhooks/${platform}`,
      {
        schema: {
          operationId: `receive${PLATFORM_NAMES[platform]}Notification`,
          summary: `Meta webhook notifications (${platform}), signed with any channel’s app secret`,
          description:
            'Signed with X-Hub-Signature-256 by the Meta app (HMAC-SHA256 of the raw body with the app secret of any of the platform’s channels); 401 and nothing stored otherwise. Answered 200 once durably stored; 503 with Retry-After when the database cannot be reached.',
          tags: ['webhooks'],
          security: [],
          ...NOTIFICATION_SCHEMA,
        },
      },
      async (request: FastifyRequest, reply) => {
        await gateway.receiveWebhook(platform, rawBodyOf(request), signatureOf(request))
        return sendReply(reply, RECEIVED)
      },
    )
    app.post(
      `/webhooks/${platform}/:channel_external_id`,
      {
        schema: {
          operationId: `receive${PLATFORM_NAMES[platform]}ChannelNotification`,
          summary: `Meta webhook notifications (${platform}) for one channel`,
          description:
            'As the platform’s path, but the signature must be made with this channel’s app secret: 401 and nothing stored otherwise (also for an unknown channel).',
          tags: ['webhooks'],
          security: [],
          params: CHANNEL_PARAMS,
          ...NOTIFICATION_SCHEMA,
        },
      },
      async (request: ChannelRequest, reply) => {
        const rawBody = rawBodyOf(request)
        const signature = signatureOf(request)
        const externalId = request.params.channel_external_id
        if (!(await isSignedByChannel(gateway, platform, externalId, rawBody, signature))) {
          gateway.metrics.webhookNotifications.inc({ platform, outcome: 'rejected' })
          throw new GatewayError(
            'INVALID_SIGNATURE',
            signature === undefined
              ? 'the X-Hub-Signature-256 header is missing'
              : `X-Hub-Signature-256 does not match the body for the app secret of ${platform} channel ${externalId}`,
          )
        }
        await gateway.receiveWebhook(platform, rawBody, signature)
        return sendReply(reply, RECEIVED)
      },
    )
  }
}

/** What Meta is answered once a notification is stored, as its own examples answer. */
const RECEIVED: HttpReply = { status: 200, body: 'EVENT_RECEIVED', headers: { 'content-type': 'text/plain' } }

/** The handshake passed: `hub.challenge` back, as text. */
function challengeReply(verified: VerifiedSubscription): HttpReply {
  return { status: 200, body: verified.challenge, headers: { 'content-type': 'text/plain' } }
}

function rawBodyOf(request: FastifyRequest): Buffer {
  if (request.rawBody === null) throw new GatewayError('INVALID_JSON', 'the notification has no JSON body')
  return request.rawBody
}

function signatureOf(request: FastifyRequest): string | undefined {
  const signature = request.headers['x-hub-signature-256']
  return typeof signature === 'string' ? signature : undefined
}

/**
 * Whether the channel's own app secret signed the body. The cached channel first; read afresh when it does not
 * verify, as the platform path does (the channel, or its new secret, may be moments old).
 */
async function isSignedByChannel(
  gateway: Gateway,
  platform: Platform,
  externalId: string,
  rawBody: Buffer,
  signature: string | undefined,
): Promise<boolean> {
  const signs = (channel: ChannelRecord | undefined): boolean =>
    channel !== undefined && isValidSignature(rawBody, signature, channel.appSecret)
  if (signs(await gateway.directory.channel(platform, externalId))) return true
  const fresh = await gateway.directory.channelsOf(platform, { fresh: true })
  return signs(fresh.find((channel) => channel.externalId === externalId))
}
