import { z } from 'zod'

const minutes = (max: number) => z.number().int().min(1).max(max)
const language = z
  .string()
  .regex(/^[a-z]{2,3}(_[A-Za-z0-9]{2,4})?$/, 'a language code looks like "en" or "pt_BR"')

/** The keep-alive reminder's text when a channel gives none, per language. */
export const DEFAULT_KEEP_ALIVE_MESSAGES: Readonly<Record<string, string>> = Object.freeze({
  en: 'We are still working on your request. Reply to this message to keep this chat open, so we can send you the answer here.',
  nl: 'We werken nog aan je vraag. Reageer op dit bericht om dit gesprek open te houden, zodat we je het antwoord hier kunnen sturen.',
  fr: 'Nous traitons toujours votre demande. Répondez à ce message pour garder cette conversation ouverte : nous pourrons vous répondre ici.',
  de: 'Wir arbeiten noch an Ihrem Anliegen. Antworten Sie auf diese Nachricht, damit dieser Chat offen bleibt und wir Ihnen hier antworten können.',
  es: 'Seguimos trabajando en tu consulta. Responde a este mensaje para mantener abierta esta conversación y poder enviarte la respuesta aquí.',
})

/**
 * A channel's automations, all off by default except the window events. Durations are in the unit their name
 * says. See README, "Automations".
 */
export const automationsSchema = z.strictObject({
  /** `window.expiring` is emitted this long before a window closes (default 60). */
  window_expiring_lead_minutes: minutes(1439).default(60),
  /** A free-form reminder inside the window, for contacts with an open case, once per window. */
  keep_alive: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Sent this long before the window closes (default 60). */
      lead_minutes: minutes(1439).default(60),
      /** The reminder per language; the case's language picks one, else `default_language`. */
      messages: z.record(language, z.string().min(1).max(4096)).default({ ...DEFAULT_KEEP_ALIVE_MESSAGES }),
      default_language: language.default('en'),
    })
    .default({
      enabled: false,
      lead_minutes: 60,
      messages: { ...DEFAULT_KEEP_ALIVE_MESSAGES },
      default_language: 'en',
    }),
  /** After the window closes on a contact with an open case: an Issue Resolution template (CCW-7). */
  reengagement: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** The Issue Resolution template; its language is the case's when the template exists in it. */
      template: z
        .strictObject({ name: z.string().min(1), language: language.default('en') })
        .default({ name: 'ticket_update', language: 'en' }),
      /** At most one re-engagement per case in this many hours (default 24). */
      min_interval_hours: z.number().min(1).max(8760).default(24),
      /** How long after the window closed to re-engage (default 0: at once). */
      delay_minutes: z.number().int().min(0).max(10_080).default(0),
      /** Template parameters when a contact has no case to take them from (`{"ticket_id": "your request"}`). */
      default_parameters: z.record(z.string(), z.string().min(1)).default({}),
    })
    .default({
      enabled: false,
      template: { name: 'ticket_update', language: 'en' },
      min_interval_hours: 24,
      delay_minutes: 0,
      default_parameters: {},
    }),
  /** Free-form replies refused only because the window closed are held (202) and sent when the customer replies. */
  hold_replies: z
    .strictObject({
      enabled: z.boolean().default(false),
      /** Held messages not released within this many hours expire (default 72). */
      expire_after_hours: z.number().min(1).max(720).default(72),
    })
    .default({ enabled: false, expire_after_hours: 72 }),
})

export type Automations = z.output<typeof automationsSchema>

/** The defaults: window events only. */
export const DEFAULT_AUTOMATIONS: Automations = automationsSchema.parse({})
