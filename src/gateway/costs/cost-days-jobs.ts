import type { Logger } from 'pino'
import { DAY_MS, MINUTE_MS, type Instant } from '../../domain/index.js'
import type { GatewayConfig } from '../../config/config.js'
import { JOB_KINDS } from '../../scheduler/jobs.js'
import type { JobHandler, JobOutcome } from '../../scheduler/scheduler.js'
import type { Clock } from '../../shared/clock.js'
import type { ChannelRecord, ScheduledJob, Store } from '../../store/store.js'

/** When the gateway fills the daily cost totals of the days that are over by itself. */
export interface CostDaysSchedule {
  /** Fill at start (the scheduler runs it soon after). */
  readonly onStart: boolean
  /** Then every this many ms, at the same time of the UTC day (see {@link nextFillAt}); 0: only at start. */
  readonly intervalMs: number
}

export function costDaysScheduleOf(config: GatewayConfig): CostDaysSchedule {
  return { onStart: config.costDaysOnStart, intervalMs: config.costDaysIntervalMs }
}

/**
 * Past midnight UTC by this much: a day's last sends have their outcome an hour after it ends (the store counts a
 * day settled then), and a few minutes more keep the fill clear of that edge.
 */
const FILL_OFFSET_MS = 65 * MINUTE_MS

/** A fill that failed (the database away) is tried again after this long, or the interval if sooner. */
const FAILED_FILL_RETRY_MS = 15 * MINUTE_MS

/** One fill job per tenant: scheduling it again moves it. */
export function costDaysJobId(tenantId: string): string {
  return `${JOB_KINDS.costDays}:${tenantId}`
}

/**
 * The tenant's fill job, due at `dueAt`. Jobs belong to a channel in the database (a deleted channel takes its jobs
 * with it), so the job is kept with the tenant's first channel; the next start schedules it again if that one goes.
 */
export function costDaysJob(tenantId: string, channel: ChannelRecord, dueAt: Instant): ScheduledJob {
  return {
    id: costDaysJobId(tenantId),
    kind: JOB_KINDS.costDays,
    channelId: channel.id,
    contactId: '',
    dueAt,
    payload: { tenant_id: tenantId },
  }
}

/** The next run after `now`: the interval's next boundary counted from 01:05 UTC (with 24 h: 01:05 UTC nightly). */
export function nextFillAt(now: Instant, intervalMs: number): Instant {
  const origin = Math.floor(now / DAY_MS) * DAY_MS + FILL_OFFSET_MS
  const steps = Math.floor((now - origin) / intervalMs) + 1
  return origin + steps * intervalMs
}

export interface CostDaysJobDependencies {
  readonly store: Store
  readonly clock: Clock
  readonly logger: Logger
}

/**
 * At start: a fill job due now for every tenant with a channel, and for the others nothing (a tenant without a
 * channel has no messages). With `onStart` off, the job is due at its next nightly run instead. A database that
 * fails here fails no start: it is logged.
 */
export async function scheduleCostDayFills(
  deps: CostDaysJobDependencies,
  schedule: CostDaysSchedule,
): Promise<void> {
  if (!schedule.onStart && schedule.intervalMs === 0) return
  try {
    const now = deps.clock()
    const dueAt = schedule.onStart ? now : nextFillAt(now, schedule.intervalMs)
    const firstChannel = new Map<string, ChannelRecord>()
    const channels = [...(await deps.store.listChannels())].sort((a, b) => (a.id < b.id ? -1 : 1))
    for (const channel of channels)
      if (!firstChannel.has(channel.tenantId)) firstChannel.set(channel.tenantId, channel)
    const due: ScheduledJob[] = []
    for (const [tenantId, channel] of firstChannel) {
      const job = await deps.store.getJob(costDaysJobId(tenantId))
      // Another instance starting at the same time scheduled it already; its next run stands.
      if (job?.status === 'pending' && job.dueAt <= dueAt && job.dueAt > now - MINUTE_MS) continue
      due.push(costDaysJob(tenantId, channel, dueAt))
    }
    await deps.store.scheduleJobs(due, now)
  } catch (error) {
    deps.logger.warn({ err: error }, 'could not schedule the filling of the daily cost totals')
  }
}

/**
 * Fills the tenant's daily cost totals of the days that are over (PostgreSQL; SQLite keeps them as it goes), so a
 * report rarely fills a day on first read, and comes back at the next nightly run. A failure is logged and tried
 * again later, never at once.
 */
export function costDaysHandler(deps: CostDaysJobDependencies, schedule: CostDaysSchedule): JobHandler {
  return async (job, now): Promise<JobOutcome> => {
    const tenantId = typeof job.payload.tenant_id === 'string' ? job.payload.tenant_id : null
    if (tenantId === null || (await deps.store.getTenant(tenantId)) === undefined) return { done: true }
    const next = (): JobOutcome =>
      schedule.intervalMs > 0 ? { done: false, runAt: nextFillAt(now, schedule.intervalMs) } : { done: true }
    try {
      const startedAt = deps.clock()
      const days = await deps.store.fillCostDays(tenantId, now)
      if (days > 0)
        deps.logger.info({ tenant: tenantId, days, ms: deps.clock() - startedAt }, 'daily cost totals filled')
      return next()
    } catch (error) {
      deps.logger.warn({ err: error, tenant: tenantId }, 'filling the daily cost totals failed')
      const retryMs =
        schedule.intervalMs > 0 ? Math.min(FAILED_FILL_RETRY_MS, schedule.intervalMs) : FAILED_FILL_RETRY_MS
      return { done: false, runAt: now + retryMs }
    }
  }
}
