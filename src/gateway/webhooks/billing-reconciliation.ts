import { MISMATCH_CAUSES, NEW_CONTACT, reconcilePricing, type PolicySettings } from '../../domain/index.js'
import { metaPricingFacts, recordedPricingFacts } from '../../channels/whatsapp/meta-pricing.js'
import type { Instant } from '../../domain/index.js'
import type { ChannelRecord, MessageRecord, Store } from '../../store/store.js'
import type { Metrics } from '../metrics.js'
import { emitEvent } from '../outbox/events.js'

/**
 * Reconciles a message carewindow sent with the `pricing` Meta reported for it in a status notification: the check
 * is kept on the message (`GET /v1/costs/reconciliation` lists the mismatches), counted in
 * `carewindow_billing_checks_total`, and a mismatch is told to the business as `billing.mismatch` — once per
 * message, as its event id is the message's. Meta sends `pricing` with one status only, or the same with several;
 * a message is checked again only when what Meta says changes.
 */
export async function reconcileBilling(
  tx: Store,
  metrics: Metrics,
  channel: ChannelRecord,
  message: MessageRecord,
  pricing: unknown,
  settings: PolicySettings,
  now: Instant,
): Promise<void> {
  if (message.metaPricingJson === JSON.stringify(pricing)) return
  const meta = metaPricingFacts(pricing)
  const carewindow = recordedPricingFacts(message.decisionJson)
  if (meta === null || carewindow === null) return
  const result = reconcilePricing(carewindow, meta)
  metrics.billingChecks.inc({ channel: channel.externalId, result: result.matches ? 'match' : result.cause })
  if (result.matches) {
    await tx.recordBillingCheck(message.id, 'match', null)
    return
  }
  await tx.recordBillingCheck(message.id, result.cause, JSON.stringify(result.differences))
  await emitEvent(tx, {
    type: 'billing.mismatch',
    channel,
    contactId: message.contactId,
    key: message.id,
    state: (await tx.getWindow(channel.id, message.contactId))?.state ?? NEW_CONTACT,
    settings,
    at: now,
    data: {
      message_id: message.id,
      wamid: message.externalId,
      cause: result.cause,
      explanation: MISMATCH_CAUSES[result.cause],
      differences: result.differences,
      carewindow: {
        pricing_model: carewindow.pricingModel,
        category: carewindow.category,
        billable: carewindow.billable,
        type: carewindow.type,
      },
      meta: pricing,
    },
  })
}
