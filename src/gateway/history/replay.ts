import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Logger } from 'pino'
import { rateCardsForTenant, type ConsentEvent, type RateCard } from '../../domain/index.js'
import { settingsWith, type WhatIf } from '../../config/what-if.js'
import type { Clock } from '../../shared/clock.js'
import { openSqliteStore } from '../../store/sqlite/sqlite-store.js'
import type { ChannelRecord, HistoryCursor, MessageRecord, Store } from '../../store/store.js'
import { importHistory, type ImportCounts } from './import-history.js'
import { ContactReplay, type FreeTierCounts, type ReplayPolicy } from './replay-contact.js'
import { ReplayTally, type ReplayTotals } from './replay-tally.js'

export interface ReplayOptions {
  /** Puts the tenants and channels the file's notifications are for into the throwaway store (the configured ones). */
  readonly setUp: (store: Store) => Promise<void>
  /** The rate cards of the baseline (the config's). */
  readonly rateCards: readonly RateCard[]
  /**
   * Each tenant's own cards (from the configured database), by tenant id: from the first of them on they replace
   * `rateCards` for that tenant's channels, as they do when carewindow prices a send. Read when the channels are
   * looked up, so `setUp` may fill it.
   */
  readonly ownRateCards?: ReadonlyMap<string, readonly RateCard[]>
  readonly whatIf: WhatIf
  /**
   * Decide templates on the consent the file shows only. By default every contact is taken as opted in before the
   * file begins: opt-ins are collected outside Meta's notifications, and the messages were sent.
   */
  readonly strictConsent: boolean
  readonly clock: Clock
  readonly logger: Logger
  readonly maxLineBytes: number
  readonly onProgress?: (counts: ImportCounts) => void
  readonly onBadLine?: (line: number, reason: string) => void
}

export interface ReplayResult {
  readonly import: ImportCounts
  readonly baseline: ReplayTotals
  readonly whatIf: ReplayTotals
}

/** Messages read per page as each channel's history is walked. */
const PAGE = 1_000

/** The opt-in a replay assumes before the history begins (see {@link ReplayOptions.strictConsent}). */
const ASSUMED_OPT_IN: ConsentEvent = { kind: 'opt_in', scope: 'all', source: 'assumed', at: 0 }

/**
 * `carewindow replay FILE`: the file's traffic decided again offline, under the channels' own settings (the
 * baseline) and under a what-if's, side by side. The file is imported — by the import's own path — into a throwaway
 * SQLite database in a temporary directory (deleted afterwards; the configured database is never written), then each
 * channel's history is walked contact by contact, in time order, and every sent message decided by the domain's
 * `decide` under both (replay-contact.ts).
 */
export async function replayHistory(path: string, options: ReplayOptions): Promise<ReplayResult> {
  const directory = await mkdtemp(join(tmpdir(), 'carewindow-replay-'))
  try {
    const store = await openSqliteStore({ path: join(directory, 'replay.db') })
    try {
      await options.setUp(store)
      await withoutWebhooks(store)
      const counts = await importHistory(path, {
        store,
        clock: options.clock,
        logger: options.logger,
        rateCards: options.rateCards,
        maxLineBytes: options.maxLineBytes,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
        ...(options.onBadLine === undefined ? {} : { onBadLine: options.onBadLine }),
      })
      const baseline = new ReplayTally()
      const whatIf = new ReplayTally()
      const freeTier: Record<'baseline' | 'whatIf', FreeTierCounts> = {
        baseline: new Map(),
        whatIf: new Map(),
      }
      for (const channel of await store.listChannels()) {
        const policies = policiesOf(channel, options)
        await walkChannel(store, channel, async (contactId) => {
          const ledger = await store.listConsent(channel.id, contactId)
          const consent = options.strictConsent ? ledger : [ASSUMED_OPT_IN, ...ledger]
          return [
            new ContactReplay(channel, contactId, consent, policies.baseline, baseline, freeTier.baseline),
            new ContactReplay(channel, contactId, consent, policies.whatIf, whatIf, freeTier.whatIf),
          ]
        })
      }
      return { import: counts, baseline: baseline.totals(), whatIf: whatIf.totals() }
    } finally {
      await store.close()
    }
  } finally {
    await rm(directory, { recursive: true, force: true })
  }
}

function policiesOf(channel: ChannelRecord, options: ReplayOptions) {
  const { whatIf } = options
  const rateCards = rateCardsForTenant(options.rateCards, options.ownRateCards?.get(channel.tenantId) ?? [])
  const baseline: ReplayPolicy = {
    settings: settingsWith(channel.settings, {}),
    rateCards,
    pricingEra: null,
  }
  return {
    baseline,
    whatIf: {
      settings: settingsWith(channel.settings, whatIf.settings),
      rateCards:
        whatIf.rateCards === undefined
          ? rateCards
          : whatIf.rateCards === 'config'
            ? options.rateCards
            : whatIf.rateCards,
      pricingEra: whatIf.pricingEra,
    } satisfies ReplayPolicy,
  }
}

/** A replay delivers nothing: the tenants lose their webhooks in the throwaway store. */
async function withoutWebhooks(store: Store): Promise<void> {
  for (const tenant of await store.listTenants())
    await store.upsertTenant({ ...tenant, webhookUrl: null, webhookSecret: null })
}

/**
 * A channel's messages, contact by contact and in time order — a customer's message before a reply stamped the same
 * second — each contact's handed to the replays `start` makes for it.
 */
async function walkChannel(
  store: Store,
  channel: ChannelRecord,
  start: (contactId: string) => Promise<readonly ContactReplay[]>,
): Promise<void> {
  let after: HistoryCursor | null = null
  let contactId: string | null = null
  let replays: readonly ContactReplay[] = []
  for (;;) {
    const page = await store.listChannelHistory(channel.id, after, PAGE)
    const ordered = inboundFirst(page)
    for (const message of ordered) {
      if (message.contactId !== contactId) {
        contactId = message.contactId
        replays = await start(contactId)
      }
      for (const replay of replays) replay.take(message)
    }
    const last = page.at(-1)
    if (last === undefined || page.length < PAGE) return
    after = { contactId: last.contactId, at: last.at, id: last.id }
  }
}

/** The page in its order, except that among a contact's messages of one instant the customer's come first. */
function inboundFirst(page: readonly MessageRecord[]): MessageRecord[] {
  const ordered: MessageRecord[] = []
  let group: MessageRecord[] = []
  const flush = () => {
    ordered.push(
      ...group.filter((m) => m.direction === 'inbound'),
      ...group.filter((m) => m.direction !== 'inbound'),
    )
    group = []
  }
  for (const message of page) {
    const first = group[0]
    if (first !== undefined && (first.contactId !== message.contactId || first.at !== message.at)) flush()
    group.push(message)
  }
  flush()
  return ordered
}
