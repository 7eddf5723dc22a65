import { afterEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../src/config/config.js'
import { startServer } from '../../src/server.js'
import { captureLog } from '../support/log-capture.js'
import { Cleanup, createE2eDatabase, testConfigFile } from '../support/test-gateway.js'

describe('the access log', () => {
  const cleanup = new Cleanup()
  afterEach(() => cleanup.run())

  /** A gateway on a real socket whose log the test reads, with `log_requests` as given. */
  async function gatewayLogging(logRequests: boolean | undefined) {
    const database = await createE2eDatabase('sqlite')
    cleanup.add(() => database.destroy())
    const file = testConfigFile({ databaseUrl: database.url, graphUrl: 'http://127.0.0.1:9' })
    const config = resolveConfig(
      logRequests === undefined ? file : { ...file, log_requests: logRequests },
      {},
      null,
    )
    const log = captureLog()
    const server = await startServer({ config, logger: log.logger })
    cleanup.add(() => server.close())
    return { server, log }
  }

  it('logs every request with its method, URL (credentials hidden), status and time when log_requests is on', async () => {
    const { server, log } = await gatewayLogging(true)

    const reply = await fetch(`${server.url}/v1/channels?access_token=cw_secret_key_123456`)

    expect(reply.status).toBe(401)
    const incoming = log.about('incoming request')
    const completed = log.about('request completed')
    expect(incoming).toEqual([
      expect.objectContaining({
        level: 30,
        req: expect.objectContaining({ method: 'GET', url: '/v1/channels?access_token=***' }) as unknown,
      }),
    ])
    expect(completed).toEqual([
      expect.objectContaining({
        level: 30,
        res: { statusCode: 401 },
        responseTime: expect.any(Number) as unknown,
      }),
    ])
    expect(log.text()).not.toContain('cw_secret_key_123456')
  })

  it.each([
    ['by default', undefined],
    ['when log_requests is off', false],
  ])('logs no request %s', async (_name, logRequests) => {
    const { server, log } = await gatewayLogging(logRequests)

    expect((await fetch(`${server.url}/healthz`)).status).toBe(200)

    expect([...log.about('incoming request'), ...log.about('request completed')]).toEqual([])
  })
})
