import { readFile } from 'node:fs/promises'
import semver from 'semver'
import { describe, expect, it } from 'vitest'

const read = async (path: string): Promise<unknown> =>
  JSON.parse(await readFile(new URL(`../${path}`, import.meta.url), 'utf8')) as unknown

interface LockFile {
  readonly packages: Record<string, { readonly engines?: { readonly node?: string } | string[] }>
}

/**
 * `engines` promises a Node.js range; every package the lockfile installs must run on all of it, or `npm install`
 * warns EBADENGINE (and the package may not work). The range's lowest version stands for it.
 */
describe('the supported Node.js versions', () => {
  it('are supported by every package in package-lock.json', async () => {
    const manifest = (await read('package.json')) as { engines: { node: string } }
    const lowest = semver.minVersion(manifest.engines.node)?.version
    expect(lowest).toBe('20.19.0')
    const lock = (await read('package-lock.json')) as LockFile
    const unsupported = Object.entries(lock.packages).flatMap(([path, entry]) => {
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node
      return range === undefined || semver.satisfies(lowest ?? '', range)
        ? []
        : [`${path} needs node ${range}`]
    })
    expect(unsupported).toEqual([])
  })
})
