import {
  formatInstant,
  ownCardsFrom,
  rateCardAt,
  rateCardsForTenant,
  type RateCard,
} from '../../domain/index.js'
import { MAX_CARD_MARKETS, rateCardFromCsv, type RateCardCsvFields } from '../../config/rate-card-csv.js'
import { rateCardSummaryJson, storedRateCardJson } from '../../representations/rate-card-json.js'
import type { RateCardSource, StoredRateCard } from '../../store/store.js'
import { GatewayError } from '../../shared/errors.js'
import type { NativeApiDependencies } from './channels.js'

type RateCardDependencies = Pick<NativeApiDependencies, 'store' | 'directory' | 'clock'>

/** The most cards a tenant keeps (a card a quarter is 4 a year) and the most countries one card maps to groups. */
export const MAX_TENANT_RATE_CARDS = 200
const MAX_CARD_COUNTRIES = 300

/** A card id: letters, digits, ".", "_" and "-", as in `meta-2026-10-eur`. */
export const RATE_CARD_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * A tenant's own cards, what the config file gives every tenant and until when, and the card in force now — so a
 * business sees whether its prices come from its own cards, Meta's published ones or carewindow's sample figures.
 */
export async function listTenantRateCards(
  deps: RateCardDependencies,
  tenantId: string,
): Promise<Record<string, unknown>> {
  const own = await deps.store.listRateCards(tenantId)
  const configured = deps.directory.configuredRateCards
  const ownCards = own.map((stored) => stored.card)
  const from = ownCardsFrom(ownCards)
  const now = deps.clock()
  const inForce = rateCardAt(rateCardsForTenant(configured, ownCards), now)
  return {
    data: own.map(storedRateCardJson),
    in_force:
      inForce === undefined
        ? null
        : {
            ...rateCardSummaryJson(inForce),
            source: from !== undefined && now >= from ? 'tenant' : 'config',
          },
    configured: {
      cards: configured.map(rateCardSummaryJson),
      are_samples: configured.length > 0 && configured.every((card) => card.isSample),
      replaced_from: from === undefined ? null : formatInstant(from),
    },
  }
}

/**
 * Creates or replaces the tenant's card `card.id`. A tenant has one card in force at a time: a card taking effect
 * the same instant as another of its cards is refused (409), as is a card past the bounds. The next decision uses it.
 */
export async function saveTenantRateCard(
  deps: RateCardDependencies,
  tenantId: string,
  card: RateCard,
  source: RateCardSource,
): Promise<{ readonly isNew: boolean; readonly stored: StoredRateCard }> {
  checkBounds(card)
  const now = deps.clock()
  const result = await deps.store.transaction(async (tx) => {
    const own = await tx.listRateCards(tenantId)
    const existing = own.find((stored) => stored.card.id === card.id)
    const sameDate = own.find(
      (stored) => stored.card.id !== card.id && stored.card.effectiveFrom === card.effectiveFrom,
    )
    if (sameDate !== undefined)
      throw new GatewayError(
        'CONFLICT',
        `rate card '${sameDate.card.id}' already takes effect at ${formatInstant(card.effectiveFrom)}; one card is in force at a time: replace that card (PUT /v1/rate-cards/${sameDate.card.id}), delete it, or give this one another date`,
      )
    if (existing === undefined && own.length >= MAX_TENANT_RATE_CARDS)
      throw new GatewayError(
        'INVALID_REQUEST',
        `a tenant keeps at most ${MAX_TENANT_RATE_CARDS} rate cards; delete the ones no longer needed`,
      )
    const stored: StoredRateCard = {
      tenantId,
      card,
      source,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    }
    await tx.saveRateCard(stored)
    return { isNew: existing === undefined, stored }
  })
  deps.directory.invalidateRateCards(tenantId)
  return result
}

/** Reads a CSV file in the shape Meta publishes rate cards and stores it as the tenant's card; 400 lists every problem. */
export async function importTenantRateCard(
  deps: RateCardDependencies,
  tenantId: string,
  text: string,
  fields: RateCardCsvFields,
): Promise<{ readonly isNew: boolean; readonly stored: StoredRateCard }> {
  if (fields.id !== undefined) checkId(fields.id)
  const parsed = rateCardFromCsv(text, fields)
  if (!parsed.ok) throw new GatewayError('INVALID_REQUEST', parsed.problems.join('; '))
  return saveTenantRateCard(deps, tenantId, parsed.card, 'csv')
}

/** Deletes the tenant's card; 404 when it has none with that id (another tenant's included). */
export async function deleteTenantRateCard(
  deps: RateCardDependencies,
  tenantId: string,
  id: string,
): Promise<void> {
  const deleted = await deps.store.deleteRateCard(tenantId, id)
  deps.directory.invalidateRateCards(tenantId)
  if (!deleted) throw new GatewayError('NOT_FOUND', `there is no rate card '${id}'`)
}

/** A card id as the path gives it: 400 when it cannot be one. */
export function checkId(id: string): void {
  if (!RATE_CARD_ID.test(id))
    throw new GatewayError(
      'INVALID_REQUEST',
      `id: "${id.slice(0, 80)}" is not a rate card id; use letters, digits, ".", "_" and "-" (at most 64), such as meta-2026-10-eur`,
    )
}

function checkBounds(card: RateCard): void {
  checkId(card.id)
  const markets = Object.keys(card.rates).length
  if (markets > MAX_CARD_MARKETS)
    throw new GatewayError(
      'INVALID_REQUEST',
      `rates: ${markets} markets; a card prices at most ${MAX_CARD_MARKETS}`,
    )
  const countries = Object.keys(card.countries ?? {}).length
  if (countries > MAX_CARD_COUNTRIES)
    throw new GatewayError(
      'INVALID_REQUEST',
      `countries: ${countries} countries; a card maps at most ${MAX_CARD_COUNTRIES}`,
    )
  if (card.label.length > 200) throw new GatewayError('INVALID_REQUEST', 'label: at most 200 characters')
}
