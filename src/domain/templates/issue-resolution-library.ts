import type { Template, TemplateStatus } from './template.js'

/**
 * TPL-1: the example Issue Resolution templates carewindow ships. They are data: install them (through the
 * API or `carewindow templates install-examples`), adapt the wording, submit them to Meta for approval.
 * Every text uses named placeholders and a quick-reply button, so one tap re-opens the window (CCW-8).
 */
export interface IssueResolutionExample {
  /** Stable key, also the suggested template name. */
  readonly key: string
  /** What the template is for, in English, for people choosing one. */
  readonly purpose: string
  /** Example values for each placeholder, as Meta's review asks for. */
  readonly examples: Readonly<Record<string, string>>
  /** Body and button text per language code. */
  readonly translations: Readonly<Record<ExampleLanguage, { readonly body: string; readonly button: string }>>
}

export type ExampleLanguage = 'en' | 'nl' | 'fr' | 'de' | 'es'

export const EXAMPLE_LANGUAGES: readonly ExampleLanguage[] = ['en', 'nl', 'fr', 'de', 'es']

export const ISSUE_RESOLUTION_EXAMPLES: readonly IssueResolutionExample[] = [
  {
    key: 'ticket_update',
    purpose: 'The brief’s own template: there is news on a ticket and the customer is invited to continue.',
    examples: { ticket_id: 'T-1042' },
    translations: {
      en: {
        body: "We have updates regarding your ticket {{ticket_id}}. Please respond back if you'd like to continue support.",
        button: 'Continue support',
      },
      nl: {
        body: 'We hebben nieuws over je ticket {{ticket_id}}. Reageer op dit bericht als je verder geholpen wilt worden.',
        button: 'Verder met support',
      },
      fr: {
        body: 'Nous avons du nouveau concernant votre ticket {{ticket_id}}. Répondez à ce message si vous souhaitez poursuivre l’assistance.',
        button: 'Poursuivre',
      },
      de: {
        body: 'Es gibt Neuigkeiten zu Ihrem Ticket {{ticket_id}}. Bitte antworten Sie auf diese Nachricht, wenn Sie den Support fortsetzen möchten.',
        button: 'Support fortsetzen',
      },
      es: {
        body: 'Tenemos novedades sobre tu ticket {{ticket_id}}. Responde a este mensaje si quieres continuar con el soporte.',
        button: 'Continuar',
      },
    },
  },
  {
    key: 'ticket_needs_information',
    purpose: 'The team needs more information from the customer to go on.',
    examples: { ticket_id: 'T-1042' },
    translations: {
      en: {
        body: 'To resolve your ticket {{ticket_id}} we need a little more information from you. Please reply to this message to continue.',
        button: 'Reply now',
      },
      nl: {
        body: 'Om je ticket {{ticket_id}} op te lossen hebben we nog wat informatie van je nodig. Reageer op dit bericht om verder te gaan.',
        button: 'Nu reageren',
      },
      fr: {
        body: 'Pour résoudre votre ticket {{ticket_id}}, nous avons besoin de quelques informations supplémentaires. Répondez à ce message pour continuer.',
        button: 'Répondre',
      },
      de: {
        body: 'Um Ihr Ticket {{ticket_id}} zu lösen, benötigen wir noch einige Informationen von Ihnen. Bitte antworten Sie auf diese Nachricht.',
        button: 'Jetzt antworten',
      },
      es: {
        body: 'Para resolver tu ticket {{ticket_id}} necesitamos un poco más de información. Responde a este mensaje para continuar.',
        button: 'Responder',
      },
    },
  },
  {
    key: 'ticket_resolution_check',
    purpose: 'The team believes the issue is solved and asks the customer to confirm or re-open.',
    examples: { ticket_id: 'T-1042' },
    translations: {
      en: {
        body: 'We believe your ticket {{ticket_id}} has been resolved. If the issue persists, reply to this message and we will continue helping you.',
        button: 'Still an issue',
      },
      nl: {
        body: 'We denken dat je ticket {{ticket_id}} is opgelost. Speelt het probleem nog? Reageer op dit bericht en we helpen je verder.',
        button: 'Nog niet opgelost',
      },
      fr: {
        body: 'Nous pensons que votre ticket {{ticket_id}} est résolu. Si le problème persiste, répondez à ce message et nous continuerons à vous aider.',
        button: 'Toujours un problème',
      },
      de: {
        body: 'Wir gehen davon aus, dass Ihr Ticket {{ticket_id}} gelöst ist. Besteht das Problem weiterhin, antworten Sie auf diese Nachricht und wir helfen Ihnen weiter.',
        button: 'Noch nicht gelöst',
      },
      es: {
        body: 'Creemos que tu ticket {{ticket_id}} está resuelto. Si el problema continúa, responde a este mensaje y seguiremos ayudándote.',
        button: 'Sigue el problema',
      },
    },
  },
  {
    key: 'ticket_delayed',
    purpose: 'Solving the issue takes longer than 24 h; the customer can ask for the latest status.',
    examples: { ticket_id: 'T-1042' },
    translations: {
      en: {
        body: 'Your ticket {{ticket_id}} is taking longer than expected to resolve. Reply to this message for the latest update from our team.',
        button: 'Get an update',
      },
      nl: {
        body: 'Het oplossen van je ticket {{ticket_id}} duurt langer dan verwacht. Reageer op dit bericht voor de laatste stand van zaken.',
        button: 'Stand van zaken',
      },
      fr: {
        body: 'La résolution de votre ticket {{ticket_id}} prend plus de temps que prévu. Répondez à ce message pour obtenir les dernières nouvelles de notre équipe.',
        button: 'Dernières nouvelles',
      },
      de: {
        body: 'Die Bearbeitung Ihres Tickets {{ticket_id}} dauert länger als erwartet. Antworten Sie auf diese Nachricht, um den aktuellen Stand zu erfahren.',
        button: 'Aktueller Stand',
      },
      es: {
        body: 'La resolución de tu ticket {{ticket_id}} está tardando más de lo previsto. Responde a este mensaje para recibir la última actualización.',
        button: 'Ver novedades',
      },
    },
  },
  {
    key: 'agent_callback',
    purpose: 'An agent tried to reach the customer and asks them to reply when they are available.',
    examples: { customer_name: 'Sheena', ticket_id: 'T-1042' },
    translations: {
      en: {
        body: 'Hi {{customer_name}}, our support team tried to reach you about ticket {{ticket_id}}. Please reply when you are available to continue.',
        button: "I'm available",
      },
      nl: {
        body: 'Hoi {{customer_name}}, ons supportteam probeerde je te bereiken over ticket {{ticket_id}}. Reageer wanneer het je uitkomt om verder te gaan.',
        button: 'Ik ben beschikbaar',
      },
      fr: {
        body: 'Bonjour {{customer_name}}, notre équipe a essayé de vous joindre au sujet du ticket {{ticket_id}}. Répondez quand vous êtes disponible pour continuer.',
        button: 'Je suis disponible',
      },
      de: {
        body: 'Hallo {{customer_name}}, unser Support-Team hat versucht, Sie wegen Ticket {{ticket_id}} zu erreichen. Bitte antworten Sie, wenn Sie Zeit haben.',
        button: 'Ich habe Zeit',
      },
      es: {
        body: 'Hola {{customer_name}}, nuestro equipo de soporte intentó contactarte sobre el ticket {{ticket_id}}. Responde cuando estés disponible para continuar.',
        button: 'Estoy disponible',
      },
    },
  },
  {
    key: 'order_issue_update',
    purpose:
      'News on a problem with an order (delivery, return, refund); the customer is invited to continue.',
    examples: { order_id: '#58213' },
    translations: {
      en: {
        body: 'There is an update on the issue with your order {{order_id}}. Reply to this message to continue the conversation with our support team.',
        button: 'Continue',
      },
      nl: {
        body: 'Er is nieuws over het probleem met je bestelling {{order_id}}. Reageer op dit bericht om het gesprek met ons supportteam voort te zetten.',
        button: 'Verder',
      },
      fr: {
        body: 'Il y a du nouveau concernant le problème de votre commande {{order_id}}. Répondez à ce message pour poursuivre la conversation avec notre équipe.',
        button: 'Continuer',
      },
      de: {
        body: 'Es gibt Neuigkeiten zum Problem mit Ihrer Bestellung {{order_id}}. Antworten Sie auf diese Nachricht, um das Gespräch mit unserem Support fortzusetzen.',
        button: 'Weiter',
      },
      es: {
        body: 'Hay novedades sobre el problema con tu pedido {{order_id}}. Responde a este mensaje para continuar la conversación con nuestro equipo de soporte.',
        button: 'Continuar',
      },
    },
  },
]

/**
 * The examples as templates ready to register: category UTILITY, tagged Issue Resolution, one per language.
 * `status` is what they are registered with (`PENDING` until Meta approves them; `APPROVED` for sandboxes).
 */
export function issueResolutionTemplates(
  status: TemplateStatus = 'PENDING',
  languages: readonly ExampleLanguage[] = EXAMPLE_LANGUAGES,
): Template[] {
  return ISSUE_RESOLUTION_EXAMPLES.flatMap((example) =>
    languages.map((language) => ({
      name: example.key,
      language,
      category: 'UTILITY' as const,
      status,
      issueResolution: true,
      body: example.translations[language].body,
      buttons: [{ type: 'QUICK_REPLY' as const, text: example.translations[language].button }],
      libraryKey: example.key,
    })),
  )
}
