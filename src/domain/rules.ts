/**
 * The rule catalogue. Every decision cites the ids of the rules that decided it, and `explain` quotes them.
 * §1 ids come from the product brief; §2 ids name the effective-dated platform rules carewindow follows.
 * `docs/rules.md` lists the same catalogue; a test fails when the two drift apart.
 */
export const RULES = {
  // §1 — the product brief
  'CCW-1':
    'A customer care window opens when the end-user sends a message to the business; statuses, echoes and business messages never open or extend it.',
  'CCW-2': 'While the customer care window is open the business may send session messages and templates.',
  'CCW-3': 'Templates sent inside the customer care window are billed at the in-window (CCW) rate.',
  'CCW-4':
    'The customer care window ends 24 h after the last end-user message, by that message’s own timestamp; each new message restarts the 24 h.',
  'CCW-5': 'Opening a customer care window is not an opt-in.',
  'CCW-6':
    'After the customer care window ends, session messages are refused; only templates the contact opted in to may be sent.',
  'CCW-7':
    'A template tagged Issue Resolution may be sent outside the window without opt-in, to invite the customer to re-open the conversation.',
  'CCW-8': 'When the end-user responds, a new customer care window opens for another 24 h.',
  'MSG-1':
    'Messenger: the standard messaging window is 24 h after the user’s last message, postback, quick reply, reaction, referral or opt-in.',
  'MSG-2':
    'Messenger 24+1: after the window the Page may send one more message without a tag, until the configured cut-off date.',
  'MSG-3':
    'Messenger: after the window (and the +1) a message needs MESSAGE_TAG with a tag allowed at that date; HUMAN_AGENT only within 7 days and only from a human agent.',
  'TPL-1': 'carewindow ships example Issue Resolution templates a business can install and adapt.',
  // §2 — platform rules, effective-dated
  'PRC-NBP':
    'WhatsApp notification-based pricing (until 2022-02-01): templates are charged per message, inside the window at the in-window rate; session replies are free.',
  'PRC-CBP-2022':
    'WhatsApp conversation-based pricing (from 2022-02-01): 24 h user-initiated or business-initiated conversations, the first 1,000 a month free.',
  'PRC-CBP-2023':
    'WhatsApp conversation-based pricing (from 2023-06-01): marketing, utility, authentication and service conversations; the first 1,000 service conversations a month free.',
  'PRC-FREE-SERVICE': 'WhatsApp service conversations are free (from 2024-11-01).',
  'PRC-PMP':
    'WhatsApp per-message pricing (from 2025-07-01): templates charged by category; service messages and utility templates inside an open window are free.',
  'PRC-PMP-2026':
    'Reported WhatsApp change (2026-10-01, opt-in until confirmed): service messages and utility templates inside the window are charged.',
  'FEP-1':
    'WhatsApp free entry point: a customer who arrived from a click-to-WhatsApp ad or Page call-to-action and is answered within 24 h gets a 72 h free window; the customer care window itself stays 24 h.',
  'TPL-CATEGORY':
    'Template categories change over time (legacy list, TRANSACTIONAL/MARKETING/OTP, then UTILITY/MARKETING/AUTHENTICATION from 2023-04-01); billing uses the category at the time of sending.',
  'TPL-STATUS':
    'Only approved templates may be sent; unknown or unapproved ones fail with 132001, paused ones with 132015, disabled ones with 132016.',
  'TPL-PARAMS':
    'A template send must supply exactly the template’s parameters (132000) in the right format (132012).',
  'OPT-OUT':
    'A contact who opted out of marketing (stop keyword, user preferences) is refused marketing templates (131050); a contact who revoked all consent gets no templates and no messages until they write again.',
  'MSG-AD':
    'Messenger: a conversation started from a click-to-Messenger ad has a 7-day window from that message.',
} as const satisfies Record<string, string>

/** The id of a rule in {@link RULES}. */
export type RuleId = keyof typeof RULES

/** Every rule id, in catalogue order. */
export const RULE_IDS = Object.keys(RULES) as readonly RuleId[]
