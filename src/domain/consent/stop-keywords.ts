import type { PolicySettings } from '../settings.js'
import type { Instant } from '../time.js'
import type { ConsentEvent } from './consent-ledger.js'

/**
 * Stop-keyword detection (OPT-OUT). A message opts the contact out when, once case, accents, punctuation,
 * emoji and spacing are ignored, it consists of a stop keyword and nothing else: "STOP", " stop! ", "Arrêt"
 * and "stop all" match; "don't stop helping me" and "stop by tomorrow?" do not.
 */

/** Stop keywords in English, Dutch, German, French, Spanish, Portuguese, Italian and the Nordic languages. */
export const DEFAULT_STOP_KEYWORDS: readonly string[] = Object.freeze([
  // English (the carrier-standard list)
  'STOP',
  'STOP ALL',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPT OUT',
  'OPTOUT',
  // Dutch
  'STOPPEN',
  'AFMELDEN',
  'UITSCHRIJVEN',
  // German
  'STOPP',
  'ABMELDEN',
  'ABBESTELLEN',
  // French
  'ARRÊT',
  'ARRÊTER',
  'DÉSABONNER',
  'DÉSINSCRIPTION',
  // Spanish
  'BAJA',
  'DARSE DE BAJA',
  'PARAR',
  'CANCELAR SUSCRIPCIÓN',
  // Portuguese
  'SAIR',
  'DESCADASTRAR',
  // Italian
  'DISISCRIVIMI',
  'ANNULLA ISCRIZIONE',
  // Swedish, Norwegian, Danish
  'AVSLUTA',
  'AVMELD',
  'AFMELD',
])

/** Lower-cases, strips accents, and reduces everything that is not a letter or digit to single spaces. */
export function normalizeKeywordText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}

const normalizedLists = new WeakMap<readonly string[], ReadonlySet<string>>()

function normalizedSet(keywords: readonly string[]): ReadonlySet<string> {
  let set = normalizedLists.get(keywords)
  if (set === undefined) {
    set = new Set(keywords.map(normalizeKeywordText).filter((keyword) => keyword !== ''))
    normalizedLists.set(keywords, set)
  }
  return set
}

// Longer messages cannot be a bare keyword; skip normalising them.
const MAX_KEYWORD_MESSAGE_LENGTH = 64

/** The keyword `text` consists of (normalised), or `null` when it is not a stop message. */
export function matchStopKeyword(text: string, keywords: readonly string[]): string | null {
  if (text.length > MAX_KEYWORD_MESSAGE_LENGTH) return null
  const normalized = normalizeKeywordText(text)
  return normalizedSet(keywords).has(normalized) ? normalized : null
}

/** The opt-out a stop message yields (source `keyword`, the message as evidence), or `null` for other messages. */
export function stopKeywordOptOut(
  text: string,
  at: Instant,
  settings: Pick<PolicySettings, 'stopKeywords' | 'stopKeywordScope'>,
): ConsentEvent | null {
  const keyword = matchStopKeyword(text, settings.stopKeywords)
  if (keyword === null) return null
  return {
    kind: 'opt_out',
    scope: settings.stopKeywordScope,
    source: 'keyword',
    evidence: text,
    actor: 'contact',
    at,
  }
}
