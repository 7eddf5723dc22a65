import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import type { SandboxSetup } from '../gateway/bootstrap.js'
import type { RunningServer } from '../server.js'
import { sandboxWalkthrough, startupBanner } from './banner.js'

/** The walk-through's steps and commands, a command's continued lines joined: what a reader pastes. */
function steps(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, '')
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^# \d+\. /.test(line) || line.startsWith('curl '))
}

function serverWith(sandbox: SandboxSetup | null): RunningServer {
  return { url: 'http://127.0.0.1:8080', store: 'sqlite:./data/carewindow.db', sandbox } as RunningServer
}

const SANDBOX = {
  tenantId: 'sandbox',
  channel: { externalId: '100000000000001' },
  apiKey: 'cw_test_key',
  keyFile: 'data/sandbox.json',
  isNew: false,
} as SandboxSetup

describe('startupBanner', () => {
  it('prints the sandbox key and the walk-through the README shows, step by step and command by command', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Point your client'))
    const walkthrough = steps(quickStart)
    expect(walkthrough.length).toBeGreaterThanOrEqual(9)
    expect(steps(sandboxWalkthrough('http://127.0.0.1:8080', '100000000000001', '$KEY').join('\n'))).toEqual(
      walkthrough,
    )
    const banner = startupBanner(serverWith(SANDBOX), '1.2.3')
    expect(steps(banner)).toEqual(walkthrough.map((line) => line.replaceAll('$KEY', 'cw_test_key')))
    expect(banner).toContain('  API key:        cw_test_key   (from data/sandbox.json)\n')
  })

  it('says where a new key is kept', () => {
    expect(
      startupBanner(serverWith({ ...SANDBOX, isNew: true, keyFile: '/srv/sandbox.json' }), '1.2.3'),
    ).toContain('  API key:        cw_test_key   (new; kept in /srv/sandbox.json)\n')
  })

  it('points to the dashboard and the key to sign in with', () => {
    expect(startupBanner(serverWith(SANDBOX), '1.2.3')).toContain(
      '  Dashboard:      http://127.0.0.1:8080/   (sign in with the API key below)\n',
    )
  })

  it('prints only where it listens when there is no sandbox', () => {
    expect(startupBanner(serverWith(null), '1.2.3')).toBe(
      [
        '',
        'carewindow 1.2.3 is listening on http://127.0.0.1:8080   (store: sqlite:./data/carewindow.db)',
        '  Dashboard:      http://127.0.0.1:8080/   (sign in with a tenant’s API key)',
        '  API reference:  http://127.0.0.1:8080/docs',
        '  Health:         http://127.0.0.1:8080/healthz · http://127.0.0.1:8080/readyz · http://127.0.0.1:8080/metrics',
        '',
      ].join('\n'),
    )
  })
})
