/**
 * The store the scheduler benchmark starts from: one WhatsApp channel with N contacts (1 M by default), each with
 * an open window (state folded from one customer message) and its window jobs, written straight into the tables
 * in bulk — a single transaction of prepared statements on SQLite, `unnest` arrays on PostgreSQL — because
 * seeding through the gateway would take far longer than the benchmark itself.
 *
 * Contacts are laid out on a timeline that starts at `t0`, the instant the benchmark's (shifted) clock shows
 * when the scheduler starts:
 *
 * - steady cohort: windows expiring at a steady rate from `t0 + STEADY_LEAD_MS` on (delay phase); their
 *   `window.expiring` job already ran an hour before, as it would have on a running instance;
 * - closed backlog: windows that expired between `t0 + 5 min` and `t0 + 55 min` — all overdue when the clock is
 *   moved to `t1 = t0 + 60 min` (throughput phase); `window.expiring` already ran;
 * - expiring backlog: windows expiring between `t1 + 10 min` and `t1 + 55 min`, still open at `t1`, whose
 *   `window.expiring` job (due 60 min ahead of the expiry) is overdue at `t1`;
 * - the rest: windows expiring between `t1 + 70 min` and `t0 + 24 h`, whose jobs are not due during the benchmark.
 *
 * Roles are spread over the contacts by a fixed permutation, so a cohort's rows are scattered through the tables
 * as real traffic would leave them, not one sequential run.
 */
import BetterSqlite3 from 'better-sqlite3'
import pg from 'pg'
import {
  applyEvent,
  HOUR_MS,
  MINUTE_MS,
  NEW_CONTACT,
  policySettings,
  type Instant,
} from '../src/domain/index.js'
import { contactJobId, JOB_KINDS } from '../src/scheduler/jobs.js'
import { contactNumber } from './http-fixture.js'

export const STEADY_LEAD_MS = 2_000
/** How far the clock jumps between the delay phase and the throughput phase. */
export const BACKLOG_CLOCK_JUMP_MS = 60 * MINUTE_MS
const CARE_WINDOW_MS = 24 * HOUR_MS

export type Role = 'steady' | 'closedBacklog' | 'expiringBacklog' | 'background'

export interface SeedLayout {
  readonly contacts: number
  readonly t0: Instant
  /** The channel's `window_expiring_lead_minutes`, in ms. */
  readonly expiringLeadMs: number
  readonly steady: number
  readonly steadyPerSecond: number
  readonly closedBacklog: number
  readonly expiringBacklog: number
}

export interface SeededWindow {
  readonly contactId: string
  readonly expiresAt: Instant
}

/** Contact `index`'s place on the timeline, and its expiry. */
function windowOf(layout: SeedLayout, index: number): { role: Role; expiresAt: Instant } {
  const position = positionOf(layout, index)
  const t1 = layout.t0 + BACKLOG_CLOCK_JUMP_MS
  if (position < layout.steady)
    return {
      role: 'steady',
      expiresAt: layout.t0 + STEADY_LEAD_MS + Math.floor((position * 1000) / layout.steadyPerSecond),
    }
  let offset = position - layout.steady
  if (offset < layout.closedBacklog)
    return {
      role: 'closedBacklog',
      expiresAt: spread(index, layout.t0 + 5 * MINUTE_MS, layout.t0 + 55 * MINUTE_MS),
    }
  offset -= layout.closedBacklog
  if (offset < layout.expiringBacklog)
    return { role: 'expiringBacklog', expiresAt: spread(index, t1 + 10 * MINUTE_MS, t1 + 55 * MINUTE_MS) }
  return { role: 'background', expiresAt: spread(index, t1 + 70 * MINUTE_MS, layout.t0 + CARE_WINDOW_MS) }
}

/** Where a role's contacts sit among the timeline positions. */
function rangeOf(layout: SeedLayout, role: Exclude<Role, 'background'>): { start: number; length: number } {
  switch (role) {
    case 'steady':
      return { start: 0, length: layout.steady }
    case 'closedBacklog':
      return { start: layout.steady, length: layout.closedBacklog }
    case 'expiringBacklog':
      return { start: layout.steady + layout.closedBacklog, length: layout.expiringBacklog }
  }
}

/** The windows of one cohort, in timeline order (the steady cohort: soonest expiry first). */
export function windowsOf(layout: SeedLayout, role: Exclude<Role, 'background'>): SeededWindow[] {
  const { start, length } = rangeOf(layout, role)
  const { multiplier } = permutationOf(layout.contacts)
  return Array.from({ length }, (_, i) => {
    const index = ((start + i) * multiplier) % layout.contacts
    return { contactId: contactNumber(index), expiresAt: windowOf(layout, index).expiresAt }
  })
}

// Position ↔ contact index: multiplication by a number coprime to the count, modulo the count.
const permutations = new Map<number, { multiplier: number; inverse: number }>()

function permutationOf(count: number): { multiplier: number; inverse: number } {
  let known = permutations.get(count)
  if (known === undefined) {
    let multiplier = Math.floor(count * 0.618_033_988_75) | 1
    while (gcd(multiplier, count) !== 1) multiplier += 2
    known = { multiplier, inverse: inverseModulo(multiplier, count) }
    permutations.set(count, known)
  }
  return known
}

function positionOf(layout: SeedLayout, index: number): number {
  // index × inverse < count² stays an exact double for the counts allowed (≤ 90 M).
  return (index * permutationOf(layout.contacts).inverse) % layout.contacts
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

function inverseModulo(a: number, modulus: number): number {
  let [oldR, r] = [a, modulus]
  let [oldS, s] = [1, 0]
  while (r !== 0) {
    const quotient = Math.floor(oldR / r)
    ;[oldR, r] = [r, oldR - quotient * r]
    ;[oldS, s] = [s, oldS - quotient * s]
  }
  return ((oldS % modulus) + modulus) % modulus
}

/** A deterministic instant in [from, to) for contact `index` (a hash of the index, not a running PRNG). */
function spread(index: number, from: Instant, to: Instant): Instant {
  let h = Math.imul(index ^ 0x9e3779b9, 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h ^= h >>> 16
  return from + Math.floor(((h >>> 0) / 4294967296) * (to - from))
}

/** The rows of a slice of contacts, column by column. */
interface SeedChunk {
  readonly contactIds: string[]
  readonly states: string[]
  readonly messageAts: number[]
  readonly expiresAts: number[]
  readonly jobIds: string[]
  readonly jobKinds: string[]
  readonly jobContactIds: string[]
  readonly jobDueAts: number[]
  readonly jobPayloads: string[]
  readonly jobStatuses: string[]
  readonly jobCreatedAts: number[]
  readonly jobUpdatedAts: number[]
}

function chunkOf(layout: SeedLayout, channelId: string, from: number, to: number): SeedChunk {
  const settings = policySettings()
  const chunk: SeedChunk = {
    contactIds: [],
    states: [],
    messageAts: [],
    expiresAts: [],
    jobIds: [],
    jobKinds: [],
    jobContactIds: [],
    jobDueAts: [],
    jobPayloads: [],
    jobStatuses: [],
    jobCreatedAts: [],
    jobUpdatedAts: [],
  }
  for (let index = from; index < to; index++) {
    const { role, expiresAt } = windowOf(layout, index)
    const contactId = contactNumber(index)
    const messageAt = expiresAt - CARE_WINDOW_MS
    const state = applyEvent(NEW_CONTACT, 'whatsapp', { kind: 'inbound', at: messageAt }, settings)
    chunk.contactIds.push(contactId)
    chunk.states.push(JSON.stringify(state))
    chunk.messageAts.push(messageAt)
    chunk.expiresAts.push(expiresAt)
    const payload = JSON.stringify({ expires_at: expiresAt })
    const hasExpiringRun = role === 'steady' || role === 'closedBacklog'
    for (const [kind, dueAt, status] of [
      [JOB_KINDS.windowExpiring, expiresAt - layout.expiringLeadMs, hasExpiringRun ? 'done' : 'pending'],
      [JOB_KINDS.windowClosed, expiresAt, 'pending'],
    ] as const) {
      chunk.jobIds.push(contactJobId(kind, channelId, contactId))
      chunk.jobKinds.push(kind)
      chunk.jobContactIds.push(contactId)
      chunk.jobDueAts.push(dueAt)
      chunk.jobPayloads.push(payload)
      chunk.jobStatuses.push(status)
      // Scheduled when the customer wrote; a job that already ran was last touched then.
      chunk.jobCreatedAts.push(messageAt)
      chunk.jobUpdatedAts.push(status === 'done' ? dueAt : messageAt)
    }
  }
  return chunk
}

const CHUNK_CONTACTS = 20_000

/** Writes the layout into a migrated database; `progress` is told how many contacts are written. */
export async function seedStore(
  databaseUrl: string,
  channelId: string,
  layout: SeedLayout,
  progress: (written: number) => void,
): Promise<void> {
  const writer = /^postgres(ql)?:\/\//.test(databaseUrl)
    ? await postgresWriter(databaseUrl, channelId)
    : sqliteWriter(databaseUrl.replace(/^sqlite:(\/\/)?/, ''), channelId)
  try {
    await writer.begin()
    for (let from = 0; from < layout.contacts; from += CHUNK_CONTACTS) {
      const to = Math.min(layout.contacts, from + CHUNK_CONTACTS)
      await writer.write(chunkOf(layout, channelId, from, to))
      progress(to)
    }
    await writer.commit()
  } finally {
    await writer.close()
  }
}

interface SeedWriter {
  begin(): Promise<void>
  write(chunk: SeedChunk): Promise<void>
  /** Commits, and leaves the database as a long-running one would be (statistics, no pending WAL). */
  commit(): Promise<void>
  close(): Promise<void>
}

function sqliteWriter(path: string, channelId: string): SeedWriter {
  const database = new BetterSqlite3(path)
  database.pragma('synchronous = OFF')
  // The expiry indexes are filled in random order: with SQLite's default 2 MB page cache every insert would
  // re-read and evict index pages. 1 GB holds them (the connection is closed after seeding).
  database.pragma('cache_size = -1000000')
  const insertContact = database.prepare(
    'insert into contacts (channel_id, contact_id, country, profile_name, created_at) values (?, ?, ?, null, ?)',
  )
  // Each window as a customer's message leaves it: announced open (window.opened went out), its close to come.
  const insertWindow = database.prepare(
    'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at, ' +
      "announced, announced_expires_at) values (?, ?, ?, ?, ?, ?, 'open', ?)",
  )
  const insertJob = database.prepare(
    'insert into jobs (id, kind, channel_id, contact_id, due_at, payload_json, status, attempts, locked_until, ' +
      'last_error, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, 0, null, null, ?, ?)',
  )
  const write = (chunk: SeedChunk): void => {
    chunk.contactIds.forEach((contactId, i) => {
      const messageAt = chunk.messageAts[i] as number
      insertContact.run(channelId, contactId, 'NL', messageAt)
      insertWindow.run(
        channelId,
        contactId,
        chunk.states[i],
        messageAt,
        chunk.expiresAts[i],
        messageAt,
        chunk.expiresAts[i],
      )
    })
    chunk.jobIds.forEach((id, i) => {
      insertJob.run(
        id,
        chunk.jobKinds[i],
        channelId,
        chunk.jobContactIds[i],
        chunk.jobDueAts[i],
        chunk.jobPayloads[i],
        chunk.jobStatuses[i],
        chunk.jobCreatedAts[i],
        chunk.jobUpdatedAts[i],
      )
    })
  }
  return {
    begin: () => {
      database.exec('begin')
      return Promise.resolve()
    },
    write: (chunk) => {
      write(chunk)
      return Promise.resolve()
    },
    commit: () => {
      database.exec('commit')
      database.pragma('wal_checkpoint(TRUNCATE)')
      return Promise.resolve()
    },
    close: () => {
      if (database.inTransaction) database.exec('rollback')
      database.close()
      return Promise.resolve()
    },
  }
}

async function postgresWriter(url: string, channelId: string): Promise<SeedWriter> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return {
    begin: async () => {
      await client.query('begin')
    },
    write: async (chunk) => {
      const channels = chunk.contactIds.map(() => channelId)
      await client.query(
        'insert into contacts (channel_id, contact_id, country, profile_name, created_at) ' +
          "select c, k, 'NL', null, m from unnest($1::text[], $2::text[], $3::bigint[]) as t(c, k, m)",
        [channels, chunk.contactIds, chunk.messageAts],
      )
      await client.query(
        'insert into windows (channel_id, contact_id, state_json, last_user_message_at, expires_at, updated_at, ' +
          "announced, announced_expires_at) select c, k, s, m, e, m, 'open', e from unnest($1::text[], " +
          '$2::text[], $3::text[], $4::bigint[], $5::bigint[]) as t(c, k, s, m, e)',
        [channels, chunk.contactIds, chunk.states, chunk.messageAts, chunk.expiresAts],
      )
      await client.query(
        'insert into jobs (id, kind, channel_id, contact_id, due_at, payload_json, status, attempts, ' +
          'locked_until, last_error, created_at, updated_at) ' +
          'select i, k, $1, c, d, p, s, 0, null, null, ca, ua from unnest($2::text[], $3::text[], $4::text[], ' +
          '$5::bigint[], $6::text[], $7::text[], $8::bigint[], $9::bigint[]) as t(i, k, c, d, p, s, ca, ua)',
        [
          channelId,
          chunk.jobIds,
          chunk.jobKinds,
          chunk.jobContactIds,
          chunk.jobDueAts,
          chunk.jobPayloads,
          chunk.jobStatuses,
          chunk.jobCreatedAts,
          chunk.jobUpdatedAts,
        ],
      )
    },
    commit: async () => {
      await client.query('commit')
      // What autovacuum does shortly after a bulk load (statistics, visibility map); without statistics the first
      // plans are guesses.
      await client.query('vacuum analyze contacts, windows, jobs')
    },
    close: () => client.end(),
  }
}
