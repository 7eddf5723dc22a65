import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import type { FastifySchema } from 'fastify'
import { DELIVERY_PARAMETERS, eventSchemas, eventWebhooks } from './events.js'
import {
  SHARED_RESPONSE_MARKER,
  SHARED_RESPONSES,
  sharedComponents,
  sharedResponseFor,
  sharedResponses,
  type SharedResponseName,
} from './responses.js'
import { DOCUMENTED_REQUEST, HTTP_SCHEMAS, type OpenApiObject } from './schemas.js'

/** Every tag an operation may carry, in the order the document lists them. */
export const TAGS = [
  {
    name: 'proxy',
    description:
      'Graph-compatible send endpoints: point a WhatsApp Cloud API or Messenger Send API client at carewindow instead of graph.facebook.com. Allowed messages are forwarded unchanged; refused ones get Graph’s error envelope.',
  },
  {
    name: 'graph',
    description:
      'Graph-compatible calls besides sends — media, message templates, the number and its business profile, registration, the Messenger profile and attachments — passed on with the channel’s token for the API key’s tenant (docs/graph-surface.md).',
  },
  {
    name: 'webhooks',
    description:
      'Meta’s webhooks: the subscription handshake and signed notifications. Subscribe the app to the channel’s own path.',
  },
  { name: 'sandbox', description: 'Demo helpers for sandbox channels, which never reach Meta.' },
  { name: 'channels', description: 'The WhatsApp numbers and Messenger Pages of the API key’s tenant.' },
  { name: 'windows', description: 'Contacts and their customer care windows.' },
  {
    name: 'consent',
    description: 'The append-only consent ledger: opt-ins and opt-outs per template category.',
  },
  { name: 'templates', description: 'The WhatsApp templates carewindow decides sends with.' },
  { name: 'messages', description: 'Messages carewindow decided or received, with their decisions.' },
  {
    name: 'costs',
    description:
      'What messages cost: carewindow’s prices of a period’s messages, counted and summed per currency, grouped by UTC day, week or month, channel, market, category, pricing model and billing type; how they compare with what Meta billed; what they would cost under other settings; the rate cards they are priced from.',
  },
  { name: 'decisions', description: 'Dry runs: would this message go out, and why?' },
  {
    name: 'cases',
    description: 'Tickets that keep-alive reminders and the Issue Resolution re-engagement act on.',
  },
  {
    name: 'held replies',
    description: 'Replies held for a closed window, sent when the customer comes back.',
  },
  {
    name: 'automations',
    description: 'Each channel’s window events, reminders, re-engagement and held replies.',
  },
  {
    name: 'dead letters',
    description:
      'Notifications Meta delivered that could not be applied; decisions they concern wait for them.',
  },
  {
    name: 'dead deliveries',
    description:
      'Events and relayed notifications the tenant’s webhook did not take after every retry; re-drive them once it works again.',
  },
  {
    name: 'live events',
    description:
      'The tenant’s events as Server-Sent Events, live, for dashboards and other UIs (docs/events.md#live-stream).',
  },
  { name: 'operations', description: 'Health, readiness and Prometheus metrics; no API key needed.' },
  {
    name: 'events',
    description:
      'What carewindow POSTs to the tenant’s webhook URL (docs/events.md): its own events and the Meta notifications it relays, signed with the tenant’s secret.',
  },
] as const

/** What the security schemes say about a key's role (docs/api-keys.md). */
const KEY_ROLES_DESCRIPTION =
  'A carewindow API key (`carewindow key create`). Each key has a role. `admin` (the default, and every key made before roles existed) may call every operation. `read` — for managers and dashboards that only look — may call every operation that reads (the GETs, and POST …/decisions, a dry run) and gets 403 READ_ONLY_KEY on every one that changes something: sends, consent entries, templates and their sync, rate cards, cases, held replies, automations, re-drives, Graph calls other than reads. Those operations list the 403.'

export interface DocumentOptions {
  readonly version: string
  /** `server.public_url`: where clients reach carewindow; `/` (this server) otherwise. */
  readonly publicUrl: string | null
}

/** @fastify/swagger's options: the route schemas make the paths, {@link completeDocument} the rest. */
export function swaggerOptions(options: DocumentOptions): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'carewindow',
        version: options.version,
        description:
          'Customer Care Window gateway for WhatsApp Business and Messenger: a Graph-compatible proxy, Meta’s webhooks, the native /v1 API, and the events it sends to businesses (webhooks). Errors use Graph’s envelope (docs/errors.md); policy refusals carry Graph’s codes (docs/decisions.md). Besides the responses listed, any route may answer 404 ROUTE_NOT_FOUND for a path carewindow does not serve, 408 or 431 for a request that did not arrive in time or whose headers are too large, and 500 for a bug.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: KEY_ROLES_DESCRIPTION,
          },
          accessToken: {
            type: 'apiKey',
            in: 'query',
            name: 'access_token',
            description:
              'The API key as Graph’s access_token query parameter (sends also take it in the body), for clients that cannot set headers; its role applies as with the bearer scheme',
          },
        },
      },
      security: [{ apiKey: [] }, { accessToken: [] }],
    },
    transform: ({ schema, url, route }) => ({
      schema: withRoleResponses(withDocumentedRequest(schema), route.config?.writes !== false),
      url,
    }),
    // Only an OpenAPI 3 document is made (`openapi` above), never a Swagger 2 one.
    transformObject: (generated) =>
      completeDocument('openapiObject' in generated ? generated.openapiObject : {}, options),
  }
}

/** A route's schema with the request parts it checks itself (`documentedRequest` in schemas.ts) shown as the others. */
function withDocumentedRequest(schema: FastifySchema | undefined): FastifySchema {
  // A route declared without a schema has none at all.
  if (schema === undefined) return {}
  const { [DOCUMENTED_REQUEST]: documented, ...rest } = schema as Record<string, unknown>
  return { ...rest, ...(documented as FastifySchema | undefined) }
}

/**
 * A route that takes an API key (it documents 401) and writes (`config.writes`, http/route-access.ts) answers a read
 * key with 403 READ_ONLY_KEY; the document says so on exactly those routes.
 */
function withRoleResponses(schema: FastifySchema, writes: boolean): FastifySchema {
  const response = schema.response as Record<string, OpenApiObject> | undefined
  if (!writes || response === undefined || !isAuthenticated(response)) return schema
  return { ...schema, response: { ...response, ...sharedResponses('ReadOnlyKey') } }
}

function isAuthenticated(response: Record<string, OpenApiObject>): boolean {
  const unauthorized = response['401']
  return unauthorized !== undefined && sharedNameOf(unauthorized) === 'Unauthorized'
}

/** Fastify parses a body for these methods: each can answer 400 for bad JSON, 413 and 415. */
const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete'])

type Operation = { responses?: Record<string, OpenApiObject> } & Record<string, unknown>

/** What @fastify/swagger makes, as far as it is read here. */
interface Generated {
  readonly openapi?: unknown
  readonly info?: unknown
  readonly security?: unknown
  readonly paths?: Record<string, Record<string, Operation>>
  readonly components?: { readonly securitySchemes?: unknown; readonly schemas?: Record<string, unknown> }
}

/**
 * Completes what @fastify/swagger made of the routes: shared responses become `$ref`s to `components.responses`,
 * what the HTTP layer answers on every route is added (503 where the database is used, 400/413/415 where a body
 * is parsed), and the document gets its servers, tags, webhooks and components, keys in a fixed order.
 */
export function completeDocument(generated: object, options: DocumentOptions): Record<string, unknown> {
  const used = new Set<SharedResponseName>()
  const { openapi, info, security, paths = {}, components = {} } = generated as Generated
  for (const operations of Object.values(paths))
    for (const [method, operation] of Object.entries(operations))
      operation.responses = completeResponses(method, operation.responses ?? {}, used)
  const shared = sharedComponents(used)
  return {
    openapi,
    info,
    servers: [
      options.publicUrl === null
        ? { url: '/', description: 'This carewindow (set server.public_url to name it)' }
        : { url: options.publicUrl },
    ],
    security,
    tags: TAGS,
    paths,
    webhooks: eventWebhooks(),
    components: {
      securitySchemes: components.securitySchemes,
      schemas: {
        ...components.schemas,
        ...HTTP_SCHEMAS,
        ...eventSchemas(),
      },
      responses: shared.responses,
      headers: shared.headers,
      parameters: DELIVERY_PARAMETERS,
    },
  }
}

function completeResponses(
  method: string,
  responses: Record<string, OpenApiObject>,
  used: Set<SharedResponseName>,
): Record<string, OpenApiObject> {
  const completed: Record<string, OpenApiObject> = {}
  let isGraphEnveloped = false
  for (const [status, response] of Object.entries(responses)) {
    const name = sharedNameOf(response)
    if (name === undefined) {
      completed[status] = response
      continue
    }
    used.add(name)
    isGraphEnveloped = true
    completed[status] = { $ref: `#/components/responses/${name}` }
  }
  const add = (status: 400 | 413 | 415 | 503) => {
    if (completed[status] !== undefined) return
    const name = sharedResponseFor(status)
    used.add(name)
    completed[status] = { $ref: `#/components/responses/${name}` }
  }
  if (BODY_METHODS.has(method)) for (const status of [400, 413, 415] as const) add(status)
  if (isGraphEnveloped) add(503)
  return Object.fromEntries(Object.entries(completed).sort(([a], [b]) => compareStatuses(a, b)))
}

function sharedNameOf(response: OpenApiObject): SharedResponseName | undefined {
  const content = response.content as Record<string, Record<string, unknown>> | undefined
  const name = content?.['application/json']?.[SHARED_RESPONSE_MARKER]
  return typeof name === 'string' && Object.hasOwn(SHARED_RESPONSES, name)
    ? (name as SharedResponseName)
    : undefined
}

/** Statuses in ascending order, then `2XX`-style ranges, `default` last. */
function compareStatuses(a: string, b: string): number {
  const rank = (status: string) => (status === 'default' ? 2 : /^\d{3}$/.test(status) ? 0 : 1)
  return rank(a) - rank(b) || a.localeCompare(b)
}
