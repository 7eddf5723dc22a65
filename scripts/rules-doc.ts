/**
 * docs/rules.md is generated from the rule catalogue in src/domain/rules.ts: `npm run docs:rules` writes it,
 * and a test fails when the two drift apart.
 */
import { RULES, RULE_IDS } from '../src/domain/rules.js'

export function rulesMarkdown(): string {
  const rows = RULE_IDS.map((id) => `| \`${id}\` | ${RULES[id]} |`)
  return [
    '# Rules',
    '',
    'Every decision carewindow makes cites the ids of the rules that decided it (`rules` in decisions,',
    'the parenthesised ids in explanations). The first twelve come from the product brief; the rest name the',
    'effective-dated platform rules carewindow follows. Generated from `src/domain/rules.ts` by `npm run docs:rules`.',
    '',
    '| id | rule |',
    '| --- | --- |',
    ...rows,
    '',
  ].join('\n')
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '')) {
  const { writeFile } = await import('node:fs/promises')
  await writeFile(new URL('../docs/rules.md', import.meta.url), rulesMarkdown())
  process.stdout.write('wrote docs/rules.md\n')
}
