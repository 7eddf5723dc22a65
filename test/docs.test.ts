import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { errorsMarkdown } from '../scripts/errors-doc.js'
import { openApiJson } from '../scripts/openapi-doc.js'
import { rulesMarkdown } from '../scripts/rules-doc.js'

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8')

describe('documentation', () => {
  it('lists exactly the rule catalogue in docs/rules.md (run `npm run docs:rules` after changing rules.ts)', async () => {
    expect(await read('docs/rules.md')).toBe(rulesMarkdown())
  })

  it('lists exactly the error catalogue in docs/errors.md (run `npm run docs:errors` after changing errors.ts)', async () => {
    expect(await read('docs/errors.md')).toBe(errorsMarkdown())
  })

  it('serves at /docs/json exactly the OpenAPI document in docs/openapi.json (run `npm run docs:openapi` after changing a route)', async () => {
    expect(await read('docs/openapi.json')).toBe(await openApiJson())
  })

  it('shows examples/readme-scenario.json verbatim as the README\'s "Scenario files" example', async () => {
    const readme = await read('README.md')
    const example = await read('examples/readme-scenario.json')
    expect(readme.slice(readme.indexOf('### Scenario files'))).toContain(`\`\`\`json\n${example}\`\`\``)
  })

  it('shows examples/library.ts verbatim as the README library example', async () => {
    const readme = await read('README.md')
    const example = await read('examples/library.ts')
    expect(readme).toContain(`\`\`\`ts\n${example}\`\`\``)
  })
})
