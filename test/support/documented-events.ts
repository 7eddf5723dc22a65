import { z } from 'zod'
import { EVENT_TYPES, type EventType } from '../../src/gateway/outbox/events.js'
import { eventSchemaName, eventSchemas } from '../../src/http/openapi/events.js'
import { HTTP_SCHEMAS } from '../../src/http/openapi/schemas.js'

// The body schemas of the OpenAPI document's `webhooks` (docs/openapi.json), as validators: zod reads JSON Schema
// with local `$defs` references, so the document's `#/components/schemas/…` references are pointed there.
const definitions = JSON.parse(
  JSON.stringify({ ...HTTP_SCHEMAS, ...eventSchemas() }).replaceAll('#/components/schemas/', '#/$defs/'),
) as Record<string, z.core.JSONSchema.JSONSchema>

const validators = new Map<string, z.ZodType>(
  EVENT_TYPES.map((type: EventType) => [
    type,
    z.fromJSONSchema({ $defs: definitions, $ref: `#/$defs/${eventSchemaName(type)}` }),
  ]),
)

/** Where an event's body differs from what the OpenAPI document says of its type; empty when it matches. */
export function undocumentedInEvent(body: unknown): string[] {
  const type = (body as { type?: unknown } | null)?.type
  const validator = typeof type === 'string' ? validators.get(type) : undefined
  if (validator === undefined) return [`"${String(type)}" is not a documented event type`]
  const parsed = validator.safeParse(body)
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${String(type)} ${issue.path.join('.')}: ${issue.message}`)
}
