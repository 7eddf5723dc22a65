/**
 * What an API key may do for its tenant: `admin` everything (every key made before roles existed is one); `read`
 * only look — every route that reads, none that changes anything (docs/api-keys.md).
 */
export const API_KEY_ROLES = ['admin', 'read'] as const
export type ApiKeyRole = (typeof API_KEY_ROLES)[number]

/** The role a key gets when none is named. */
export const DEFAULT_API_KEY_ROLE: ApiKeyRole = 'admin'
