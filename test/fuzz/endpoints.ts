import fc from 'fast-check'
import { OTHER_TENANT_PHONE_NUMBER_ID, PHONE_NUMBER_ID } from '../support/test-gateway.js'
import { CHANNEL_NAMES, CHANNELS, type ChannelName, type TenantName } from './fuzz-config.js'
import { isJsonObject, type FuzzJson } from './json-text.js'
import { mutate, mutations, randomBody, textDamage, type TextDamage } from './json-mutation.js'
import { encodeSegment, oddHeaderValue, oddSegment, oddString } from './odd-values.js'
import {
  automationsBody,
  caseBody,
  casePatch,
  decisionBody,
  externalId,
  graphTemplateList,
  messengerNotification,
  messengerSendBody,
  optInBody,
  optOutBody,
  psid,
  sandboxInboundBody,
  sandboxStatusBody,
  templateDefinition,
  templateLanguage,
  templateName,
  whatsappContact,
  whatsappNotification,
  whatsappSendBody,
} from './seeds.js'

/** An id carewindow made earlier in the run (a case, a held reply, a message), picked when the request is sent. */
export interface IdRef {
  readonly ref: 'case' | 'hold' | 'message'
  readonly pick: number
}

export type Segment = string | IdRef

/** Whose API key a request carries, and how. */
export type Auth =
  /**
   * The key of the tenant that owns the channel or resource (`owner`), or of the other tenant; `reader`: the owner's
   * key with the read role, refused every route that writes.
   */
  | {
      readonly kind: 'key'
      readonly tenant: 'owner' | 'other' | 'reader'
      readonly via: 'bearer' | 'query' | 'body'
    }
  | { readonly kind: 'none' }
  | { readonly kind: 'header'; readonly value: string }

/** How a webhook is signed: with the owner's app secret, another tenant's or an unknown one, or wrongly. */
export type Signing = 'owner' | 'other' | 'unknown' | 'none' | 'uppercase' | 'sha1' | 'garbage' | 'empty'

export type BodySpec =
  | { readonly kind: 'json'; readonly value: FuzzJson; readonly damage: TextDamage }
  /** Form fields; object values are written as JSON (or Meta's single-quoted JSON). */
  | { readonly kind: 'form'; readonly fields: FuzzJson; readonly quotes: 'double' | 'single' }
  | { readonly kind: 'raw'; readonly bytes: Buffer }

/** One generated request, before the ids it refers to are filled in. */
export interface FuzzCase {
  /** The route it aims at, as Fastify names it (`POST /v1/channels/:channelId/cases`). */
  readonly route: string
  readonly method: string
  /** Path segments after the leading `/`, percent-encoded. */
  readonly path: readonly Segment[]
  /** Query parameters, percent-encoded. */
  readonly query: readonly (readonly [string, string])[]
  /** The tenant whose key `auth: owner` means; `ref`: the tenant of the id referred to. */
  readonly owner: TenantName | 'ref'
  readonly auth: Auth
  readonly signing: Signing | null
  /** `null`: no Content-Type header. */
  readonly contentType: string | null
  readonly headers: Readonly<Record<string, string>>
  readonly body: BodySpec | null
  readonly transport: 'socket' | 'inject'
}

/** A route and the requests generated for it. */
export interface Endpoint {
  readonly route: string
  /** How often it is picked, relative to the others. */
  readonly weight: number
  readonly cases: fc.Arbitrary<FuzzCase>
}

const otherTenant = (tenant: TenantName): TenantName => (tenant === 'acme' ? 'globex' : 'acme')

const auth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 40, arbitrary: fc.constant<Auth>({ kind: 'key', tenant: 'owner', via: 'bearer' }) },
  { weight: 2, arbitrary: fc.constant<Auth>({ kind: 'key', tenant: 'owner', via: 'query' }) },
  { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'key', tenant: 'other', via: 'bearer' }) },
  { weight: 3, arbitrary: fc.constant<Auth>({ kind: 'key', tenant: 'reader', via: 'bearer' }) },
  { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'none' }) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom('Bearer ', 'Bearer', 'bearer x', 'Basic YWNtZTpzZWNyZXQ=', 'Bearer cw_test_acme_key'),
        oddHeaderValue.map((value) => `Bearer ${value}`),
      )
      .map((value): Auth => ({ kind: 'header', value })),
  },
)

/** Proxy sends also take the key as Graph's `access_token` in the body. */
const sendAuth: fc.Arbitrary<Auth> = fc.oneof(
  { weight: 12, arbitrary: auth },
  { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'key', tenant: 'owner', via: 'body' }) },
  { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'key', tenant: 'reader', via: 'body' }) },
)

const signing: fc.Arbitrary<Signing> = fc.oneof(
  { weight: 30, arbitrary: fc.constant<Signing>('owner') },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Signing>('other', 'unknown', 'none', 'uppercase', 'sha1', 'garbage', 'empty'),
  },
)

const jsonContentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 30, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/json;',
      'application/json; charset="',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      '',
      'application/jsonx',
      'application/vnd.api+json',
      null,
    ),
  },
)

const transport = fc.constantFrom<'socket' | 'inject'>('socket', 'inject')

/** Headers every request may carry, mostly none. */
const extraHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 20, arbitrary: fc.constant({}) },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Record<string, string>>(
      { 'content-encoding': 'gzip' },
      { 'content-encoding': 'identity' },
      { accept: 'application/xml' },
      { 'x-http-method-override': 'DELETE' },
      { 'x-forwarded-for': '::1, 10.0.0.1' },
      { 'accept-charset': 'utf-16' },
      { expect: '100-continue' },
    ),
  },
)

const idempotencyKey: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 4, arbitrary: fc.nat().map((n) => ({ 'idempotency-key': `fuzz-${n}` })) },
  // A few keys used again and again: replays, and bodies that differ from the first one.
  { weight: 2, arbitrary: fc.constantFrom('k1', 'k2', 'k3').map((key) => ({ 'idempotency-key': key })) },
  { weight: 1, arbitrary: oddHeaderValue.map((key) => ({ 'idempotency-key': key })) },
)

const senderHeader: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('agent', 'bot', 'AGENT').map((sender) => ({ 'x-carewindow-sender': sender })),
  },
  { weight: 1, arbitrary: oddHeaderValue.map((sender) => ({ 'x-carewindow-sender': sender })) },
)

interface ChannelPick {
  readonly segment: string
  readonly owner: TenantName
  readonly channel: ChannelName | null
}

/** A channel id in the path: mostly one of `names` with its owner's key; sometimes another's, or an odd one. */
function channelParam(names: readonly ChannelName[] = CHANNEL_NAMES): fc.Arbitrary<ChannelPick> {
  return fc.oneof(
    {
      weight: 16,
      arbitrary: fc.constantFrom(...names).map((name): ChannelPick => ({
        segment: CHANNELS[name].id,
        owner: CHANNELS[name].tenant,
        channel: name,
      })),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...CHANNEL_NAMES).map((name): ChannelPick => ({
        segment: CHANNELS[name].id,
        owner: otherTenant(CHANNELS[name].tenant),
        channel: name,
      })),
    },
    {
      weight: 1,
      arbitrary: oddSegment.map((segment): ChannelPick => ({ segment, owner: 'acme', channel: null })),
    },
  )
}

/** A contact of the channel's platform (`+31 6…` as people type wa_ids), or an odd one. */
function contactOf(channel: ChannelName | null): fc.Arbitrary<string> {
  const valid = channel !== null && CHANNELS[channel].platform === 'messenger' ? psid : whatsappContact
  return fc.oneof({ weight: 8, arbitrary: valid }, { weight: 1, arbitrary: oddString })
}

function contactSegment(channel: ChannelName | null): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 8, arbitrary: contactOf(channel).map(encodeSegment) },
    { weight: 1, arbitrary: oddSegment },
  )
}

/** A body: the seed mutated (mostly), or random JSON or bytes, or none. */
function jsonBody(seed: fc.Arbitrary<FuzzJson>): fc.Arbitrary<BodySpec | null> {
  return fc.oneof(
    {
      weight: 20,
      arbitrary: fc
        .tuple(seed, mutations, textDamage)
        .map(([value, list, damage]): BodySpec => ({ kind: 'json', value: mutate(value, list), damage })),
    },
    { weight: 1, arbitrary: randomBody.map((bytes): BodySpec => ({ kind: 'raw', bytes })) },
    { weight: 1, arbitrary: fc.constant(null) },
  )
}

/** Query parameters: mostly the route's own (valid or odd values), now and then stray ones too. */
function queryOf(
  own: readonly (readonly [string, fc.Arbitrary<string>])[],
): fc.Arbitrary<readonly (readonly [string, string])[]> {
  const stray = fc.tuple(
    fc.oneof(
      fc.constantFrom('__proto__', 'constructor', 'access_token', 'foo', 'limit[]', 'a[b]'),
      fc.string({ maxLength: 8 }).map(encodeSegment),
    ),
    fc.oneof(oddSegment, fc.string({ maxLength: 8 }).map(encodeSegment)),
  )
  const ownPairs =
    own.length === 0
      ? fc.constant([])
      : fc.array(
          fc.oneof(
            ...own.map(([key, value]) =>
              fc.tuple(
                fc.constant(key),
                fc.oneof(
                  { weight: 6, arbitrary: value.map(encodeSegment) },
                  { weight: 1, arbitrary: oddSegment },
                ),
              ),
            ),
          ),
          { maxLength: 3 },
        )
  return fc.oneof(
    { weight: 12, arbitrary: ownPairs },
    {
      weight: 1,
      arbitrary: fc
        .tuple(ownPairs, fc.array(stray, { minLength: 1, maxLength: 3 }))
        .map(([pairs, strays]) => [...pairs, ...strays]),
    },
  )
}

const noQuery = queryOf([])

/** A method other than the route's, now and then (405s are 404s in Fastify). */
function methodOf(method: string): fc.Arbitrary<string> {
  const any = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')
  return method === 'ANY'
    ? any
    : fc.oneof({ weight: 40, arbitrary: fc.constant(method) }, { weight: 1, arbitrary: any })
}

interface CaseParts {
  readonly path: readonly Segment[]
  readonly owner: TenantName | 'ref'
  readonly body?: fc.Arbitrary<BodySpec | null>
  readonly query?: fc.Arbitrary<readonly (readonly [string, string])[]>
  readonly auth?: fc.Arbitrary<Auth>
  readonly signing?: fc.Arbitrary<Signing>
  readonly contentType?: fc.Arbitrary<string | null>
  readonly headers?: fc.Arbitrary<Record<string, string>>
}

/** An endpoint whose requests are built from `parts` (itself generated: the path decides the rest). */
function endpoint(route: string, weight: number, parts: fc.Arbitrary<CaseParts>): Endpoint {
  const [method = 'GET'] = route.split(' ')
  const cases = parts.chain((part) =>
    fc
      .record({
        method: methodOf(method),
        body: part.body ?? fc.constant(null),
        query: part.query ?? noQuery,
        auth: part.auth ?? auth,
        signing: part.signing ?? fc.constant(null),
        contentType: part.contentType ?? jsonContentType,
        headers: fc
          .tuple(part.headers ?? fc.constant({}), extraHeaders)
          .map(([own, extra]) => ({ ...own, ...extra })),
        transport,
      })
      .map((generated): FuzzCase => ({
        route,
        path: part.path,
        owner: part.owner,
        ...generated,
        contentType: generated.body === null ? null : generated.contentType,
      })),
  )
  return { route, weight, cases }
}

const fixed = (...path: Segment[]) => fc.constant<CaseParts>({ path, owner: 'acme' })

const graphVersion = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('v21.0', 'v6.0', 'v24.0') },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom('v1.0', 'v999.99', 'v21', 'V21.0', '21.0', 'v21.0.1', 'v1234.5', 'v-1.0', 'v21%2E0'),
      oddSegment,
    ),
  },
)

/** A Messenger body as form fields: Meta's curl examples (`recipient={'id':'…'}`). */
const formBody: fc.Arbitrary<BodySpec> = fc
  .tuple(messengerSendBody, mutations, fc.constantFrom<'double' | 'single'>('double', 'single'))
  .map(([value, list, quotes]): BodySpec => ({ kind: 'form', fields: mutate(value, list), quotes }))

const whatsappChannels: readonly ChannelName[] = ['whatsapp', 'postman', 'sandbox', 'globexWhatsapp']

const proxySend = endpoint(
  'POST /:version/:id/messages',
  18,
  fc.tuple(graphVersion, channelParam()).map(([version, channel]): CaseParts => {
    const isMessenger = channel.channel !== null && CHANNELS[channel.channel].platform === 'messenger'
    const body = isMessenger
      ? fc.oneof(
          { weight: 6, arbitrary: jsonBody(messengerSendBody) },
          { weight: 2, arbitrary: formBody },
          { weight: 1, arbitrary: jsonBody(whatsappSendBody) },
        )
      : fc.oneof(
          { weight: 8, arbitrary: jsonBody(whatsappSendBody) },
          { weight: 1, arbitrary: jsonBody(messengerSendBody) },
        )
    return {
      path: [version, channel.segment, 'messages'],
      owner: channel.owner,
      body,
      auth: sendAuth,
      query: queryOf([
        ['appsecret_proof', fc.constantFrom('0'.repeat(64), 'abc')],
        ['carewindow_sender', fc.constantFrom('agent', 'bot')],
      ]),
      contentType: isMessenger
        ? fc.oneof(
            { weight: 3, arbitrary: jsonContentType },
            { weight: 1, arbitrary: fc.constant('application/x-www-form-urlencoded') },
          )
        : jsonContentType,
      headers: fc
        .tuple(idempotencyKey, isMessenger ? senderHeader : fc.constant({}))
        .map(([a, b]) => ({ ...a, ...b })),
    }
  }),
)

const proxyMe = endpoint(
  'POST /:version/me/messages',
  5,
  fc
    .tuple(graphVersion, fc.constantFrom<TenantName>('acme', 'globex'))
    .map(([version, tenant]): CaseParts => ({
      path: [version, 'me', 'messages'],
      owner: tenant,
      body: fc.oneof(
        { weight: 6, arbitrary: jsonBody(messengerSendBody) },
        { weight: 2, arbitrary: formBody },
      ),
      auth: sendAuth,
      contentType: fc.oneof(
        { weight: 3, arbitrary: jsonContentType },
        { weight: 1, arbitrary: fc.constant('application/x-www-form-urlencoded') },
      ),
      headers: fc.tuple(idempotencyKey, senderHeader).map(([a, b]) => ({ ...a, ...b })),
    })),
)

/**
 * Meta's notifications to `/webhooks/{platform}`, or — `perChannel` — to a channel's own callback path: mostly the
 * channel the notification is for, now and then another channel or an odd segment.
 */
function webhookPost(platform: 'whatsapp' | 'messenger', weight: number, perChannel = false): Endpoint {
  const own = platform === 'whatsapp' ? whatsappNotification : messengerNotification
  const foreign = platform === 'whatsapp' ? messengerNotification : whatsappNotification
  const channelSegment = (channel: ChannelName): fc.Arbitrary<readonly Segment[]> =>
    perChannel
      ? fc
          .oneof(
            { weight: 8, arbitrary: fc.constant<Segment>(CHANNELS[channel].id) },
            {
              weight: 1,
              arbitrary: fc.constantFrom<Segment>(...CHANNEL_NAMES.map((name) => CHANNELS[name].id)),
            },
            { weight: 1, arbitrary: oddSegment },
          )
          .map((segment) => [segment])
      : fc.constant([])
  return endpoint(
    perChannel ? `POST /webhooks/${platform}/:channel_external_id` : `POST /webhooks/${platform}`,
    weight,
    fc.oneof({ weight: 12, arbitrary: own }, { weight: 1, arbitrary: foreign }).chain((notification) =>
      channelSegment(notification.channel).map((segments): CaseParts => ({
        path: ['webhooks', platform, ...segments],
        owner: CHANNELS[notification.channel].tenant,
        body: jsonBody(fc.constant(notification.body)),
        signing,
        auth: fc.constant<Auth>({ kind: 'none' }),
      })),
    ),
  )
}

function webhookVerify(platform: 'whatsapp' | 'messenger', perChannel = false): Endpoint {
  const channels = CHANNEL_NAMES.filter((name) => CHANNELS[name].platform === platform)
  return endpoint(
    perChannel ? `GET /webhooks/${platform}/:channel_external_id` : `GET /webhooks/${platform}`,
    1,
    (perChannel
      ? fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom<Segment>(...channels.map((name) => CHANNELS[name].id)) },
          { weight: 1, arbitrary: oddSegment },
        )
      : fc.constant(null)
    ).map((segment): CaseParts => ({
      path: ['webhooks', platform, ...(segment === null ? [] : [segment])],
      owner: 'acme',
      auth: fc.constant<Auth>({ kind: 'none' }),
      // Meta's handshake (mostly with a channel's token), or some of its parameters, odd ones among them.
      query: fc.oneof(
        {
          weight: 3,
          arbitrary: fc
            .tuple(
              fc.constantFrom('acme-verify-token', 'globex-verify-token', 'wrong'),
              fc.oneof(fc.constantFrom('1158201444', ''), oddSegment),
            )
            .map(([token, challenge]) => [
              ['hub.mode', 'subscribe'] as const,
              ['hub.verify_token', token] as const,
              ['hub.challenge', challenge] as const,
            ]),
        },
        {
          weight: 1,
          arbitrary: queryOf([
            ['hub.mode', fc.constantFrom('subscribe', 'unsubscribe')],
            ['hub.verify_token', fc.constantFrom('acme-verify-token', 'globex-verify-token', 'wrong')],
            ['hub.challenge', fc.constantFrom('1158201444', 'challenge', '')],
          ]),
        },
      ),
    })),
  )
}

const sandboxInbound = endpoint(
  'POST /v1/sandbox/:channelId/inbound',
  3,
  channelParam(['sandbox', 'sandbox', 'sandbox', 'whatsapp', 'page']).map((channel): CaseParts => ({
    path: ['v1', 'sandbox', channel.segment, 'inbound'],
    owner: channel.owner,
    body: jsonBody(sandboxInboundBody),
  })),
)

const sandboxStatus = endpoint(
  'POST /v1/sandbox/:channelId/status',
  2,
  channelParam(['sandbox', 'sandbox', 'sandbox', 'whatsapp', 'page']).map((channel): CaseParts => ({
    path: ['v1', 'sandbox', channel.segment, 'status'],
    owner: channel.owner,
    body: jsonBody(sandboxStatusBody),
  })),
)

/** `/v1/channels/{channelId}/…rest`, with the channel's owner. */
function channelRoute(
  route: string,
  weight: number,
  names: readonly ChannelName[],
  rest: (
    channel: ChannelPick,
  ) => fc.Arbitrary<Omit<CaseParts, 'owner'> & { readonly path: readonly Segment[] }>,
): Endpoint {
  return endpoint(
    route,
    weight,
    channelParam(names).chain((channel) =>
      rest(channel).map((parts): CaseParts => ({
        ...parts,
        path: ['v1', 'channels', channel.segment, ...parts.path],
        owner: channel.owner,
      })),
    ),
  )
}

const contactRoute = (
  route: string,
  weight: number,
  tail: string,
  extra: (channel: ChannelPick) => Omit<CaseParts, 'owner' | 'path'> = () => ({}),
): Endpoint =>
  channelRoute(route, weight, CHANNEL_NAMES, (channel) =>
    contactSegment(channel.channel).map((contact) => ({
      path: ['contacts', contact, tail],
      ...extra(channel),
    })),
  )

/** Paging cursors: ones carewindow gave out, and base64url texts of odd positions. */
const windowCursor = fc.oneof(
  fc
    .tuple(
      fc.constantFrom<unknown>(null, 0, -1e16, 1e308, 2 ** 53, 1.5, '1'),
      fc.oneof(fc.constantFrom('', '31612345678'), oddString),
    )
    .map((position) => Buffer.from(JSON.stringify(position)).toString('base64url')),
  oddString,
)

const caseCursor = fc.oneof(
  oddString.map((id) => Buffer.from(id).toString('base64url')),
  oddString,
)

/** A template definition named `name` and `language` (the path's), without them, or as it was. */
function namedAs(definition: FuzzJson, name: string, language: string): fc.Arbitrary<FuzzJson> {
  if (!isJsonObject(definition)) return fc.constant(definition)
  const { name: _name, language: _language, ...rest } = definition
  const named = { ...rest, name: decodedSegment(name), language: decodedSegment(language) }
  return fc.constantFrom<FuzzJson>(named, named, rest, definition)
}

/** A path segment as the server reads it (an undecodable one as it is). */
function decodedSegment(segment: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    return segment
  }
}

/** A media upload as whatsapp-api-js sends it (multipart), or odd bytes. */
const mediaUpload: fc.Arbitrary<BodySpec | null> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.uint8Array({ maxLength: 64 }).map((file): BodySpec => ({
      kind: 'raw',
      bytes: Buffer.concat([
        Buffer.from(
          '--x\r\nContent-Disposition: form-data; name="messaging_product"\r\n\r\nwhatsapp\r\n' +
            '--x\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n',
        ),
        Buffer.from(file),
        Buffer.from('\r\n--x--\r\n'),
      ]),
    })),
  },
  { weight: 1, arbitrary: randomBody.map((bytes): BodySpec => ({ kind: 'raw', bytes })) },
  { weight: 1, arbitrary: fc.constant(null) },
)

const mediaContentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('multipart/form-data; boundary=x') },
  { weight: 1, arbitrary: fc.constantFrom('application/octet-stream', 'multipart/form-data') },
  { weight: 1, arbitrary: jsonContentType },
)

/** A Graph object id in the path: a channel's (owner's or another's), a media or template id, or an odd one. */
const graphObjectId: fc.Arbitrary<ChannelPick> = fc.oneof(
  { weight: 3, arbitrary: channelParam(whatsappChannels) },
  {
    weight: 2,
    arbitrary: fc.bigInt({ min: 1n, max: 10n ** 17n }).map((id): ChannelPick => ({
      segment: String(id),
      owner: 'acme',
      channel: null,
    })),
  },
)

/** `/{version}/{id}/…tail`: Graph's calls besides sends (media, templates, profiles), passed on. */
function graphCall(
  route: string,
  tail: readonly string[],
  options: { readonly body?: 'json' | 'media'; readonly me?: boolean; readonly page?: boolean } = {},
): Endpoint {
  const id =
    options.me === true
      ? fc.constant<ChannelPick | null>(null)
      : options.page === true
        ? channelParam(['page', 'globexPage'])
        : graphObjectId
  return endpoint(
    route,
    1,
    fc.tuple(graphVersion, id).map(([version, pick]): CaseParts => ({
      path: [version, ...(pick === null ? ['me'] : [pick.segment]), ...tail],
      owner: pick?.owner ?? 'acme',
      query: queryOf([['phone_number_id', fc.constantFrom(PHONE_NUMBER_ID, OTHER_TENANT_PHONE_NUMBER_ID)]]),
      ...(options.body === 'json' ? { body: jsonBody(fc.constant({ messaging_product: 'whatsapp' })) } : {}),
      ...(options.body === 'media' ? { body: mediaUpload, contentType: mediaContentType } : {}),
    })),
  )
}

/** The passthrough's routes (src/http/routes/graph-passthrough.ts, graph-media.ts). */
const graphCalls: readonly Endpoint[] = [
  graphCall('POST /:version/:id/media', ['media'], { body: 'media' }),
  graphCall('GET /:version/:id/message_templates', ['message_templates']),
  graphCall('POST /:version/:id/message_templates', ['message_templates'], { body: 'json' }),
  graphCall('DELETE /:version/:id/message_templates', ['message_templates']),
  graphCall('POST /:version/:id', [], { body: 'json' }),
  graphCall('GET /:version/:id', []),
  graphCall('DELETE /:version/:id', []),
  graphCall('GET /:version/:id/whatsapp_business_profile', ['whatsapp_business_profile']),
  graphCall('POST /:version/:id/whatsapp_business_profile', ['whatsapp_business_profile'], { body: 'json' }),
  graphCall('POST /:version/:id/register', ['register'], { body: 'json' }),
  graphCall('POST /:version/:id/deregister', ['deregister'], { body: 'json' }),
  graphCall('GET /:version/me/messenger_profile', ['messenger_profile'], { me: true }),
  graphCall('POST /:version/me/messenger_profile', ['messenger_profile'], { me: true, body: 'json' }),
  graphCall('DELETE /:version/me/messenger_profile', ['messenger_profile'], { me: true, body: 'json' }),
  graphCall('GET /:version/:id/messenger_profile', ['messenger_profile'], { page: true }),
  graphCall('POST /:version/:id/messenger_profile', ['messenger_profile'], { page: true, body: 'json' }),
  graphCall('DELETE /:version/:id/messenger_profile', ['messenger_profile'], { page: true, body: 'json' }),
  graphCall('POST /:version/me/message_attachments', ['message_attachments'], { me: true, body: 'media' }),
  endpoint(
    'GET /media/:id/download',
    1,
    graphObjectId.map((pick): CaseParts => ({
      path: ['media', pick.segment, 'download'],
      owner: pick.owner,
      query: queryOf([
        ['phone_number_id', fc.constantFrom(PHONE_NUMBER_ID, OTHER_TENANT_PHONE_NUMBER_ID)],
        ['version', fc.constantFrom('v21.0', 'v1', 'x')],
      ]),
    })),
  ),
]

/** A tenant's rate card as JSON (`PUT /v1/rate-cards/{id}`), and Meta's CSV of one (`POST /v1/rate-cards/import`). */
const rateCardBody: fc.Arbitrary<FuzzJson> = fc.record({
  label: fc.oneof(
    { weight: 6, arbitrary: fc.constant('Meta rate card (EUR)') },
    { weight: 1, arbitrary: fc.constant('') },
  ),
  currency: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('EUR', 'USD') },
    { weight: 1, arbitrary: fc.constant('eur') },
  ),
  effective_from: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('2025-08-01', '2026-10-01T00:00:00Z') },
    { weight: 1, arbitrary: fc.constant('2025-02-30') },
  ),
  rates: fc.oneof(
    {
      weight: 6,
      arbitrary: fc.constantFrom<FuzzJson>(
        { NL: { marketing: '0.1597', utility: '0.05' }, '*': { utility: '0.0064' } },
        { 'Rest of Western Europe': { authentication_international: '0.02' } },
      ),
    },
    { weight: 1, arbitrary: fc.constant<FuzzJson>({ NL: { utility: '0,05' } }) },
  ),
})

const rateCardCsv: fc.Arbitrary<BodySpec | null> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.constantFrom('Netherlands', 'Rest of Western Europe', 'Other', 'NL', 'Atlantis'),
        fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('0.1597', '', 'n/a', '0,1') },
          { weight: 1, arbitrary: oddString },
        ),
        fc.constantFrom(',', ';'),
      )
      .map(([market, amount, separator]): BodySpec => ({
        kind: 'raw',
        bytes: Buffer.from(
          [
            `Market${separator}Currency${separator}Marketing${separator}Utility`,
            `"${market}"${separator}EUR${separator}${amount}${separator}0.05`,
          ].join('\r\n'),
        ),
      })),
  },
  { weight: 1, arbitrary: randomBody.map((bytes): BodySpec => ({ kind: 'raw', bytes })) },
  { weight: 1, arbitrary: fc.constant(null) },
)

const rateCardId = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('meta-2026-10-eur', 'acme.2025_08', 'a') },
  { weight: 1, arbitrary: oddSegment },
)

/** The rate cards' routes (src/http/routes/v1/rate-cards.ts). */
const rateCardEndpoints: readonly Endpoint[] = [
  endpoint('GET /v1/rate-cards', 1, fixed('v1', 'rate-cards')),
  endpoint(
    'PUT /v1/rate-cards/:id',
    2,
    rateCardId.map((id): CaseParts => ({
      path: ['v1', 'rate-cards', id],
      owner: 'acme',
      body: jsonBody(rateCardBody),
    })),
  ),
  endpoint(
    'DELETE /v1/rate-cards/:id',
    1,
    rateCardId.map((id): CaseParts => ({ path: ['v1', 'rate-cards', id], owner: 'acme' })),
  ),
  endpoint(
    'POST /v1/costs/what-if',
    2,
    fc.constant<CaseParts>({
      path: ['v1', 'costs', 'what-if'],
      owner: 'acme',
      body: jsonBody(
        fc.record(
          {
            from: fc.constantFrom('2026-03-01', '2026-03-01T10:00:00Z', '1999-12-31', 'x'),
            to: fc.constantFrom('2026-03-31', '2028-12-31', '2026-02-01'),
            channel: fc.constantFrom('106540352242922', '109999999999999', 'x'.repeat(65)),
            settings: fc.constantFrom<FuzzJson>(
              { pricing_2026: true },
              { pricing_2026: true, pricing_2026_at: '2025-09-03' },
              { pricing_pmp_2025_at: '2020-01-01' },
              { colour: 'blue' },
            ),
            rate_cards: fc.oneof(
              { weight: 2, arbitrary: fc.constantFrom<FuzzJson>('config', 'sample', 'mine', []) },
              { weight: 3, arbitrary: rateCardBody.map((card): FuzzJson => [card]) },
            ),
            pricing_model: fc.constantFrom('CBP', 'PMP_2026', 'NBP', 'FREE'),
            format: fc.constantFrom('json', 'csv', 'xml'),
          },
          { requiredKeys: [] },
        ),
      ),
    }),
  ),
  endpoint(
    'POST /v1/rate-cards/import',
    2,
    fc.constant<CaseParts>({
      path: ['v1', 'rate-cards', 'import'],
      owner: 'acme',
      body: rateCardCsv,
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('text/csv') },
        { weight: 1, arbitrary: fc.constantFrom('text/csv; charset=utf-8', 'text/plain') },
        { weight: 1, arbitrary: jsonContentType },
      ),
      query: fc.oneof(
        {
          weight: 4,
          arbitrary: fc.constant([
            ['id', 'meta-2026-10-eur'],
            ['label', 'Meta%20EUR'],
            ['currency', 'EUR'],
            ['effective_from', '2026-10-01'],
          ] as const),
        },
        {
          weight: 1,
          arbitrary: queryOf([
            ['id', fc.constantFrom('meta-2026-10-eur', 'x y')],
            ['label', fc.constantFrom('Meta EUR', '')],
            ['currency', fc.constantFrom('EUR', 'USD', 'EURO')],
            ['effective_from', fc.constantFrom('2026-10-01', '2026-13-01')],
          ]),
        },
      ),
    }),
  ),
]

/** Every route of carewindow, with the requests generated for it. */
export const ENDPOINTS: readonly Endpoint[] = [
  proxySend,
  proxyMe,
  webhookPost('whatsapp', 18),
  webhookPost('messenger', 8),
  webhookVerify('whatsapp'),
  webhookVerify('messenger'),
  webhookPost('whatsapp', 4, true),
  webhookPost('messenger', 2, true),
  webhookVerify('whatsapp', true),
  webhookVerify('messenger', true),
  sandboxInbound,
  sandboxStatus,
  ...graphCalls,
  endpoint('GET /v1/channels', 1, fixed('v1', 'channels')),
  contactRoute('GET /v1/channels/:channelId/contacts/:contactId/window', 2, 'window'),
  channelRoute('GET /v1/channels/:channelId/contacts', 3, CHANNEL_NAMES, () =>
    fc.constant({
      path: ['contacts'],
      query: queryOf([
        ['state', fc.constantFrom('open', 'closed')],
        ['expires_within', fc.constantFrom('3600', '600', '0', '604801', '1e3', 'x')],
        ['q', fc.constantFrom('316', '+31 6', 'sandbox', '%', '_', '\\', "'", '')],
        ['opted_out', fc.constantFrom('true', 'false', 'yes')],
        ['sort', fc.constantFrom('expires_at', 'contact_id')],
        ['limit', fc.constantFrom('1', '2', '50', '500', '501', '0', '-0', '1e308', '1.5', '0x10', ' 3')],
        ['cursor', windowCursor],
      ]),
    }),
  ),
  contactRoute('POST /v1/channels/:channelId/contacts/:contactId/consent', 3, 'consent', () => ({
    body: jsonBody(optInBody),
  })),
  contactRoute('DELETE /v1/channels/:channelId/contacts/:contactId/consent', 2, 'consent', () => ({
    body: fc.oneof(
      { weight: 2, arbitrary: fc.constant(null) },
      { weight: 3, arbitrary: jsonBody(optOutBody) },
    ),
    query: queryOf([['scope', fc.constantFrom('all', 'marketing', 'utility', 'authentication')]]),
  })),
  contactRoute('GET /v1/channels/:channelId/contacts/:contactId/consent', 2, 'consent'),
  contactRoute('GET /v1/channels/:channelId/contacts/:contactId/held', 2, 'held', () => ({
    query: queryOf([
      ['status', fc.constantFrom('held', 'releasing', 'released', 'failed', 'cancelled', 'expired')],
    ]),
  })),
  channelRoute('GET /v1/channels/:channelId/templates', 1, CHANNEL_NAMES, () =>
    fc.constant({ path: ['templates'] }),
  ),
  channelRoute('POST /v1/channels/:channelId/templates', 2, whatsappChannels, () =>
    fc.constant({ path: ['templates'], body: jsonBody(templateDefinition) }),
  ),
  channelRoute('POST /v1/channels/:channelId/templates/import', 2, whatsappChannels, () =>
    fc.constant({ path: ['templates', 'import'], body: jsonBody(graphTemplateList) }),
  ),
  channelRoute('POST /v1/channels/:channelId/templates/sync', 1, CHANNEL_NAMES, () =>
    fc.constant({ path: ['templates', 'sync'] }),
  ),
  ...(['GET', 'PUT', 'DELETE'] as const).map((method) =>
    channelRoute(
      `${method} /v1/channels/:channelId/templates/:name/:language`,
      method === 'PUT' ? 2 : 1,
      whatsappChannels,
      () =>
        fc
          .tuple(
            fc.oneof({ weight: 6, arbitrary: templateName }, { weight: 1, arbitrary: oddSegment }),
            fc.oneof({ weight: 6, arbitrary: templateLanguage }, { weight: 1, arbitrary: oddSegment }),
          )
          .map(([name, language]) => ({
            path: ['templates', name, language],
            // The body names the template of the path (or leaves it to the path), now and then another one.
            ...(method === 'PUT'
              ? {
                  body: jsonBody(
                    templateDefinition.chain((definition) => namedAs(definition, name, language)),
                  ),
                }
              : {}),
          })),
    ),
  ),
  endpoint(
    'GET /v1/messages/:messageId',
    2,
    fc
      .oneof(
        { weight: 6, arbitrary: fc.nat().map((pick): Segment => ({ ref: 'message', pick })) },
        { weight: 1, arbitrary: oddSegment },
      )
      .map((id): CaseParts => ({ path: ['v1', 'messages', id], owner: 'ref' })),
  ),
  endpoint(
    'GET /v1/messages',
    2,
    fc.constant<CaseParts>({
      path: ['v1', 'messages'],
      owner: 'acme',
      query: queryOf([
        ['from', fc.constantFrom('2024-03-01', '2024-03-01T10:00:00Z', '1999-12-31', '2024-02-30', 'now')],
        ['to', fc.constantFrom('2030-01-01', '2024-03-01', '2100-01-02', '-1')],
        ['channel', fc.constantFrom('100000000000001', '999', '')],
        ['contact_id', fc.constantFrom('31612345678', '+31 6 1234 5678', '12', '')],
        ['direction', fc.constantFrom('outbound', 'inbound', 'up')],
        ['allowed', fc.constantFrom('true', 'false', '1')],
        ['reason', fc.constantFrom('IN_CARE_WINDOW,WINDOW_CLOSED', 'NICE', ',')],
        ['category', fc.constantFrom('marketing', 'Marketing', 'a,b,c')],
        ['status', fc.constantFrom('delivered,read', 'lost')],
        ['market', fc.constantFrom('NL', 'nld')],
        // A cursor carewindow gives out ([0, "msg_0"]), one of another shape ([]), and ones that are none.
        ['cursor', fc.constantFrom('WzAsIm1zZ18wIl0', 'W10', 'x', '%00')],
        ['limit', fc.constantFrom('1', '50', '500', '501', '0', '1e308')],
      ]),
    }),
  ),
  endpoint(
    'GET /v1/costs',
    2,
    fc.constant<CaseParts>({
      path: ['v1', 'costs'],
      owner: 'acme',
      query: queryOf([
        ['from', fc.constantFrom('2024-03-01', '2024-03-01T10:00:00Z', '1999-12-31', 'x')],
        ['to', fc.constantFrom('2024-03-31', '2025-12-31', '2024-02-01', '2100-01-01')],
        [
          'group_by',
          fc.constantFrom('day,channel', 'week,category,billing_type', 'month,market', 'day,week', 'x', ''),
        ],
        ['groupBy', fc.constantFrom('pricing_model', 'channel,channel')],
        ['format', fc.constantFrom('json', 'csv', 'xml')],
        ['direction', fc.constantFrom('outbound', 'inbound')],
        ['allowed', fc.constantFrom('true', 'false')],
        ['contact_id', fc.constantFrom('31612345678', '')],
      ]),
    }),
  ),
  channelRoute('POST /v1/channels/:channelId/decisions', 3, CHANNEL_NAMES, (channel) =>
    fc.constant({
      path: ['decisions'],
      body: jsonBody(
        decisionBody(
          channel.channel !== null && CHANNELS[channel.channel].platform === 'messenger'
            ? messengerSendBody
            : whatsappSendBody,
        ),
      ),
    }),
  ),
  channelRoute('POST /v1/channels/:channelId/cases', 3, CHANNEL_NAMES, (channel) =>
    fc.constant({ path: ['cases'], body: jsonBody(caseBody(contactOf(channel.channel))) }),
  ),
  channelRoute('GET /v1/channels/:channelId/cases', 2, CHANNEL_NAMES, (channel) =>
    fc.constant({
      path: ['cases'],
      query: queryOf([
        ['contact_id', contactOf(channel.channel)],
        ['status', fc.constantFrom('open', 'pending', 'resolved')],
        ['external_id', externalId],
        ['limit', fc.constantFrom('1', '2', '500', '501', '0', '1e308')],
        ['cursor', caseCursor],
      ]),
    }),
  ),
  ...(['GET', 'PATCH'] as const).map((method) =>
    endpoint(
      `${method} /v1/cases/:caseId`,
      2,
      fc
        .oneof(
          { weight: 6, arbitrary: fc.nat().map((pick): Segment => ({ ref: 'case', pick })) },
          { weight: 1, arbitrary: oddSegment },
        )
        .map((id): CaseParts => ({
          path: ['v1', 'cases', id],
          owner: 'ref',
          ...(method === 'PATCH' ? { body: jsonBody(casePatch) } : {}),
        })),
    ),
  ),
  ...(['GET', 'PATCH'] as const).map((method) =>
    channelRoute(`${method} /v1/channels/:channelId/cases/by-external-id/:externalId`, 2, CHANNEL_NAMES, () =>
      fc
        .oneof({ weight: 6, arbitrary: externalId.map(encodeSegment) }, { weight: 1, arbitrary: oddSegment })
        .map((id) => ({
          path: ['cases', 'by-external-id', id],
          ...(method === 'PATCH' ? { body: jsonBody(casePatch) } : {}),
        })),
    ),
  ),
  ...(['GET', 'DELETE'] as const).map((method) =>
    endpoint(
      `${method} /v1/held/:holdId`,
      2,
      fc
        .oneof(
          { weight: 6, arbitrary: fc.nat().map((pick): Segment => ({ ref: 'hold', pick })) },
          { weight: 1, arbitrary: oddSegment },
        )
        .map((id): CaseParts => ({ path: ['v1', 'held', id], owner: 'ref' })),
    ),
  ),
  endpoint(
    'GET /v1/dead-letters',
    1,
    fc.constant<CaseParts>({
      path: ['v1', 'dead-letters'],
      owner: 'acme',
      query: queryOf([
        ['after', fc.constantFrom('0', '1', '-1', '1.5', '9007199254740993', 'x')],
        ['limit', fc.constantFrom('1', '50', '100', '101', '0', '-0', '1e308')],
      ]),
    }),
  ),
  ...(
    [
      'GET /v1/dead-letters/:deadLetterId',
      'POST /v1/dead-letters/:deadLetterId/retry',
      'POST /v1/dead-letters/:deadLetterId/discard',
    ] as const
  ).map((route) =>
    endpoint(
      route,
      1,
      fc
        .oneof(
          { weight: 3, arbitrary: fc.nat().map((id) => String(id)) },
          { weight: 1, arbitrary: fc.constantFrom('0', '-1', '1e3', '99999999999999999999') },
          { weight: 1, arbitrary: oddSegment },
        )
        .map((id): CaseParts => ({
          path: [
            'v1',
            'dead-letters',
            id,
            ...(route.endsWith('/retry') ? ['retry'] : route.endsWith('/discard') ? ['discard'] : []),
          ],
          owner: 'acme',
        })),
    ),
  ),
  endpoint(
    'GET /v1/dead-deliveries',
    1,
    fc.constant<CaseParts>({
      path: ['v1', 'dead-deliveries'],
      owner: 'acme',
      query: queryOf([
        // A cursor carewindow gives out ([0, "dlv_0"]), one of another shape ([]), and ones that are none.
        ['cursor', fc.constantFrom('WzAsImRsdl8wIl0', 'W10', 'x', '', '%00')],
        ['limit', fc.constantFrom('1', '50', '100', '101', '0', '-0', '1e308')],
      ]),
    }),
  ),
  endpoint(
    'GET /v1/costs/reconciliation',
    1,
    fc.constant<CaseParts>({
      path: ['v1', 'costs', 'reconciliation'],
      owner: 'acme',
      query: queryOf([
        // Instants, ones that are not, a period the wrong way round, and one longer than 400 days.
        [
          'from',
          fc.constantFrom('2026-01-01T00:00:00Z', '2020-01-01T00:00:00Z', '2030-01-01T00:00:00Z', 'x', ''),
        ],
        [
          'to',
          fc.constantFrom(
            '2026-02-01T00:00:00Z',
            '2026-01-01T00:00:00+01:00',
            '9999-12-31T23:59:59Z',
            '1e308',
          ),
        ],
        ['channel', fc.constantFrom('106540352242922', '109999999999999', 'x'.repeat(65), '%00')],
        // A cursor carewindow gives out ([0, "msg_0"]), one of another shape ([]), and ones that are none.
        ['cursor', fc.constantFrom('WzAsIm1zZ18wIl0', 'W10', 'x', '', '%00')],
        ['limit', fc.constantFrom('1', '500', '501', '0', '1.5')],
      ]),
    }),
  ),
  endpoint(
    'POST /v1/dead-deliveries/redrive',
    1,
    fc.constant<CaseParts>({
      path: ['v1', 'dead-deliveries', 'redrive'],
      owner: 'acme',
      query: queryOf([['limit', fc.constantFrom('1', '1000', '1001', '0', '1.5', 'x')]]),
    }),
  ),
  ...(['GET /v1/dead-deliveries/:deliveryId', 'POST /v1/dead-deliveries/:deliveryId/redrive'] as const).map(
    (route) =>
      endpoint(
        route,
        1,
        fc
          .oneof(
            { weight: 3, arbitrary: fc.constantFrom('dlv_0', 'dlv_0lzq3k1c0a8f3e2d1c0b9a8f7e6d5c4b') },
            { weight: 1, arbitrary: oddSegment },
          )
          .map((id): CaseParts => ({
            path: ['v1', 'dead-deliveries', id, ...(route.endsWith('/redrive') ? ['redrive'] : [])],
            owner: 'acme',
          })),
      ),
  ),
  channelRoute('GET /v1/channels/:channelId/automations', 1, CHANNEL_NAMES, () =>
    fc.constant({ path: ['automations'] }),
  ),
  channelRoute('PUT /v1/channels/:channelId/automations', 2, CHANNEL_NAMES, () =>
    fc.constant({ path: ['automations'], body: jsonBody(automationsBody) }),
  ),
  ...rateCardEndpoints,
  // The live stream stays open when it is answered 200: only requests it refuses are sent — without a valid key, or
  // with a key and a query parameter it does not take.
  endpoint(
    'GET /v1/events/stream',
    1,
    fc.oneof(
      fc.constant<CaseParts>({
        path: ['v1', 'events', 'stream'],
        owner: 'acme',
        auth: fc.constantFrom<Auth>(
          { kind: 'none' },
          { kind: 'header', value: 'Bearer cw_not_a_key' },
          { kind: 'header', value: 'Basic x' },
        ),
      }),
      fc.constant<CaseParts>({
        path: ['v1', 'events', 'stream'],
        owner: 'acme',
        auth: fc.constant<Auth>({ kind: 'key', tenant: 'owner', via: 'bearer' }),
        query: fc.constantFrom<readonly (readonly [string, string])[]>(
          [['since', '0']],
          [['since', 'yesterday']],
          [['__proto__', '%00']],
          [['access_token', 'x'.repeat(600)]],
        ),
      }),
    ),
  ),
  endpoint('GET /healthz', 1, fixed('healthz')),
  endpoint('GET /readyz', 1, fixed('readyz')),
  endpoint('GET /metrics', 1, fixed('metrics')),
  endpoint('GET /docs/json', 1, fixed('docs', 'json')),
  endpoint('GET /docs/yaml', 1, fixed('docs', 'yaml')),
  endpoint('GET /docs', 1, fixed('docs')),
  endpoint(
    'ANY /*',
    2,
    fc.array(oddSegment, { minLength: 0, maxLength: 4 }).map((path): CaseParts => ({ path, owner: 'acme' })),
  ),
]

/** A request to any route, picked by the routes' weights. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  ...ENDPOINTS.map((entry) => ({ weight: entry.weight, arbitrary: entry.cases })),
)
