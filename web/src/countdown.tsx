import { useEffect, useState } from 'react'

/** The time now, renewed every second for the components that show a countdown (one timer per component). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => {
      setNow(Date.now())
    }, intervalMs)
    return () => {
      clearInterval(timer)
    }
  }, [intervalMs])
  return now
}

export type Tone = 'open' | 'hour' | 'minutes' | 'closed'

const HOUR_MS = 3_600_000
const TEN_MINUTES_MS = 600_000

/** How near the window's end is: more than an hour, within the hour, within ten minutes, or closed. */
export function toneOf(leftMs: number): Tone {
  if (leftMs <= 0) return 'closed'
  if (leftMs < TEN_MINUTES_MS) return 'minutes'
  if (leftMs < HOUR_MS) return 'hour'
  return 'open'
}

export const TONE_WORDS: Record<Tone, string> = {
  open: 'open',
  hour: 'closes within the hour',
  minutes: 'closes within 10 minutes',
  closed: 'closed',
}

export function formatLeft(leftMs: number): string {
  if (leftMs <= 0) return 'closed'
  const seconds = Math.floor(leftMs / 1000)
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = seconds % 60
  const two = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`
}

/**
 * A window's countdown. The expiry comes from `seconds_left` as the server counted it when the page read it (so a
 * browser whose clock is off still counts right), and the colour follows the tone.
 */
export function Countdown({
  expiresAtMs,
  now,
}: {
  readonly expiresAtMs: number | null
  readonly now: number
}) {
  const leftMs = expiresAtMs === null ? 0 : expiresAtMs - now
  const tone = toneOf(leftMs)
  return (
    <span className={`countdown tone-${tone}`} data-tone={tone} title={TONE_WORDS[tone]}>
      <span className="visually-hidden">Window {TONE_WORDS[tone]}: </span>
      <span className="countdown-time">{formatLeft(leftMs)}</span>
    </span>
  )
}

/** When a window read `secondsLeft` at `readAt` ends, on this browser's clock; null when it is closed. */
export function expiryOf(secondsLeft: number, readAt: number): number | null {
  return secondsLeft > 0 ? readAt + secondsLeft * 1000 : null
}
