import { DAY_MS, HOUR_MS } from '../time.js'

/** CCW-4, MSG-1: the window lasts 24 h after the user's last message. */
export const CARE_WINDOW_MS = 24 * HOUR_MS
/** FEP-1: the free entry point window lasts 72 h from the business's first reply. */
export const FREE_ENTRY_POINT_MS = 72 * HOUR_MS
/** FEP-1: the business must answer an entry-point message within 24 h to earn the free window. */
export const FREE_ENTRY_POINT_REPLY_MS = 24 * HOUR_MS
/** MSG-AD: a conversation started from a click-to-Messenger ad stays open 7 days from that message. */
export const MESSENGER_AD_WINDOW_MS = 7 * DAY_MS
/** MSG-3: HUMAN_AGENT replies are allowed up to 7 days after the user's last message. */
export const HUMAN_AGENT_WINDOW_MS = 7 * DAY_MS
