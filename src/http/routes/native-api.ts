import type { FastifyInstance } from 'fastify'
import type { Gateway } from '../../gateway/gateway.js'
import { registerAutomationRoutes } from './v1/automations.js'
import { registerCaseRoutes } from './v1/cases.js'
import { registerChannelRoutes } from './v1/channels.js'
import { registerConsentRoutes } from './v1/consent.js'
import { registerCostReconciliationRoutes } from './v1/cost-reconciliation.js'
import { registerContactRoutes } from './v1/contacts.js'
import { registerCostRoutes } from './v1/costs.js'
import { registerCostWhatIfRoutes } from './v1/cost-what-if.js'
import { registerDeadDeliveryRoutes } from './v1/dead-deliveries.js'
import { registerDeadLetterRoutes } from './v1/dead-letters.js'
import { registerDecisionRoutes } from './v1/decisions.js'
import { registerEventStreamRoutes } from './v1/event-stream.js'
import type { EventStreams } from '../live/event-streams.js'
import { registerHoldRoutes } from './v1/holds.js'
import { registerMessageRoutes } from './v1/messages.js'
import { registerRateCardRoutes } from './v1/rate-cards.js'
import { registerTemplateRoutes } from './v1/templates.js'

/**
 * The native `/v1` API (SPEC §4): channels, windows, contacts, consent, templates, messages with their decisions
 * (searched, and their costs reported),
 * dry-run decisions, the automations' resources (cases, held replies and each channel's automations) and the
 * notifications that could not be applied (dead letters) and the deliveries to the tenant's webhook that were given
 * up (dead deliveries). Every route takes `Authorization: Bearer <API key>` and sees only its tenant's data.
 *
 * Each route's request parts are zod schemas its handler validates (so every 400 names its field the same way);
 * `documentedZod` shows them in the OpenAPI document and keeps them from Fastify. Replies are serialised as they are,
 * never trimmed to a schema, and a JSON Schema given to Fastify here anyway would document, never validate.
 */
export function registerNativeApiRoutes(app: FastifyInstance, gateway: Gateway, streams: EventStreams): void {
  void app.register((scope, _options, done) => {
    scope.setValidatorCompiler(() => (value: unknown) => ({ value }))
    scope.setSerializerCompiler(() => (data) => JSON.stringify(data))
    registerChannelRoutes(scope, gateway)
    registerContactRoutes(scope, gateway)
    registerConsentRoutes(scope, gateway)
    registerTemplateRoutes(scope, gateway)
    registerMessageRoutes(scope, gateway)
    registerCostRoutes(scope, gateway)
    registerDecisionRoutes(scope, gateway)
    registerCaseRoutes(scope, gateway)
    registerHoldRoutes(scope, gateway)
    registerAutomationRoutes(scope, gateway)
    registerDeadLetterRoutes(scope, gateway)
    registerDeadDeliveryRoutes(scope, gateway)
    registerCostReconciliationRoutes(scope, gateway)
    registerCostWhatIfRoutes(scope, gateway)
    registerRateCardRoutes(scope, gateway)
    registerEventStreamRoutes(scope, gateway, streams)
    done()
  })
}
