/**
 * docs/errors.md is generated from the error catalogue in src/shared/errors.ts: `npm run docs:errors` writes
 * it, and a test fails when the two drift apart.
 */
import { ERRORS, type ErrorKey } from '../src/shared/errors.js'

export function errorsMarkdown(): string {
  const rows = (Object.keys(ERRORS) as ErrorKey[]).map((key) => {
    const entry = ERRORS[key]
    return `| \`${key}\` | ${entry.status} | ${entry.code} | ${entry.title} | ${entry.hint} |`
  })
  return [
    '# Errors',
    '',
    'Every error carewindow answers with uses Graph’s envelope, so Graph clients handle it as they handle Meta’s:',
    '',
    '```json',
    '{ "error": { "message": "(#131047) Re-engagement message", "type": "OAuthException", "code": 131047,',
    '             "error_data": { "messaging_product": "whatsapp", "details": "…what is wrong and how to fix it…" },',
    '             "fbtrace_id": "req_…" } }',
    '```',
    '',
    '`fbtrace_id` is carewindow’s request id (it is in the logs). Policy refusals — a message the rules do not allow —',
    'carry Graph’s own codes (131047, 132001, 131050, 10/2018278 …) and are listed in [decisions.md](decisions.md).',
    'The errors below are carewindow’s own: the request itself could not be handled. Generated from',
    '`src/shared/errors.ts` by `npm run docs:errors`.',
    '',
    '| key | HTTP | Graph code | title | what to do |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const { writeFile } = await import('node:fs/promises')
  await writeFile(new URL('../docs/errors.md', import.meta.url), errorsMarkdown())
  process.stdout.write('wrote docs/errors.md\n')
}
