import { parseWhatsAppContactId, type Billing } from '../../domain/index.js'
import type { Clock } from '../../shared/clock.js'
import { randomToken } from '../../shared/ids.js'
import type { Upstream, UpstreamChannel, UpstreamReply, UpstreamRequest } from '../upstream.js'

export interface SandboxOptions<C extends UpstreamChannel> {
  readonly clock: Clock
  /** After a send: when the simulated `sent`, `delivered` and `read` statuses arrive (ms); fewer for fewer. */
  readonly statusDelaysMs: readonly number[]
  /** Hands a simulated Meta notification (JSON text) to the webhook intake, as if Meta had posted it. */
  readonly notify: (channel: C, body: string) => Promise<void>
}

/** The statuses the sandbox reports, in the order Meta sends them. */
export const SANDBOX_STATUSES = ['sent', 'delivered', 'read'] as const
export type SandboxStatus = (typeof SANDBOX_STATUSES)[number]

/** The `pricing` object of a status notification, as Meta writes it (meta-platform.md §2.4). */
export interface WirePricing {
  readonly billable: boolean
  readonly pricing_model: string
  readonly category: string
  readonly type?: string
}

/** What Meta would report of a message carewindow billed so: the same facts, in Meta's words. */
export function wirePricingOf(
  billing: Pick<Billing, 'billable' | 'pricingModel' | 'type' | 'category'>,
): WirePricing {
  return {
    billable: billing.billable,
    pricing_model: billing.pricingModel,
    type: billing.type,
    category: billing.category,
  }
}

/**
 * The built-in stand-in for Graph, for demos and `npm start` without a Meta account: it accepts what carewindow
 * allows, answers like Graph with a generated `wamid`, and a moment later reports `sent`, `delivered` and `read`
 * through the normal webhook path, with a `pricing` object from carewindow's own billing. Simulated statuses live
 * in memory: a restart forgets the ones not yet reported.
 */
export class WhatsAppSandbox<C extends UpstreamChannel> implements Upstream {
  private readonly timers = new Set<NodeJS.Timeout>()

  constructor(private readonly options: SandboxOptions<C>) {}

  forward(request: UpstreamRequest): Promise<UpstreamReply> {
    const body = JSON.parse(request.body) as { status?: string; to?: string; recipient?: string }
    if (body.status === 'read')
      return Promise.resolve({ status: 200, body: JSON.stringify({ success: true }) })
    const input = body.to ?? body.recipient ?? ''
    // carewindow forwards only sends whose recipient it read, so the id is always there; Graph answers with it.
    const contact = parseWhatsAppContactId(input)
    const wamid = `wamid.${randomToken(24, 'base64url')}`
    return Promise.resolve({
      status: 200,
      body: JSON.stringify({
        messaging_product: 'whatsapp',
        contacts: [{ input, wa_id: contact.ok ? contact.id : input }],
        messages: [{ id: wamid, message_status: 'accepted' }],
      }),
    })
  }

  /** Schedules the statuses of a message the sandbox accepted. */
  simulateStatuses(channel: C, wamid: string, recipient: string, billing: Billing): void {
    this.options.statusDelaysMs.forEach((delayMs, index) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer)
        const notification = statusNotification(
          channel,
          wamid,
          recipient,
          SANDBOX_STATUSES[index] ?? 'read',
          this.options.clock(),
          wirePricingOf(billing),
        )
        // A failed hand-over is the sandbox's loss only: nothing real depends on simulated statuses.
        this.options.notify(channel, notification).catch(() => undefined)
      }, delayMs)
      timer.unref()
      this.timers.add(timer)
    })
  }

  /** Cancels statuses not yet reported. */
  stop(): void {
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
  }
}

/** The status notification Meta would post for a message (its `wamid`), signed by nobody yet. */
export function statusNotification(
  channel: UpstreamChannel,
  wamid: string,
  recipient: string,
  status: SandboxStatus,
  at: number,
  pricing: WirePricing,
): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: channel.externalId,
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: channel.externalId, phone_number_id: channel.externalId },
              statuses: [
                {
                  id: wamid,
                  status,
                  timestamp: String(Math.floor(at / 1000)),
                  recipient_id: recipient,
                  pricing,
                },
              ],
            },
            field: 'messages',
          },
        ],
      },
    ],
  })
}
