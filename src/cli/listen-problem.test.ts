import { describe, expect, it } from 'vitest'
import { listenProblem } from './listen-problem.js'

function systemError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${syscall} ${code}: something`), { code, syscall })
}

describe('listenProblem', () => {
  it('names the address in use and the three ways to choose another port', () => {
    expect(listenProblem(systemError('EADDRINUSE', 'listen'), '127.0.0.1', 8080)).toBe(
      'cannot listen on 127.0.0.1:8080: the port is in use (another carewindow, or another program). Choose another port with --port, CAREWINDOW_PORT or PORT (as platforms such as Heroku, Render and Cloud Run set it), e.g. --port 8081.',
    )
  })

  it('explains that ports below 1024 need privileges', () => {
    expect(listenProblem(systemError('EACCES', 'listen'), '0.0.0.0', 80)).toBe(
      'cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need privileges). Choose a port from 1024 up with --port, CAREWINDOW_PORT or PORT (as platforms such as Heroku, Render and Cloud Run set it).',
    )
  })

  it.each([
    ['EADDRNOTAVAIL', 'listen', '10.254.254.254', '10.254.254.254 is not an address of this machine'],
    ['ENOTFOUND', 'getaddrinfo', 'carewindow.internal', 'the host name carewindow.internal does not resolve'],
  ])('points %s at the host setting', (code, syscall, host, reason) => {
    expect(listenProblem(systemError(code, syscall), host, 8080)).toBe(
      `cannot listen on ${host}:8080: ${reason}. Set the address with CAREWINDOW_HOST or server.host: 0.0.0.0 for every interface, 127.0.0.1 for this machine only.`,
    )
  })

  it('brackets an IPv6 host and passes on the message of another listen error', () => {
    expect(listenProblem(systemError('EINVAL', 'listen'), '::1', 8080)).toBe(
      'cannot listen on [::1]:8080: listen EINVAL: something',
    )
  })

  it.each([
    ['an error that is not about listening', systemError('ECONNREFUSED', 'connect')],
    ['a programming error', new TypeError('x is not a function')],
    ['something thrown that is not an error', 'EADDRINUSE'],
  ])('leaves %s alone', (_name, error) => {
    expect(listenProblem(error, '127.0.0.1', 8080)).toBeNull()
  })
})
