const CHOOSE_PORT =
  'with --port, CAREWINDOW_PORT or PORT (as platforms such as Heroku, Render and Cloud Run set it)'
const CHOOSE_HOST =
  'Set the address with CAREWINDOW_HOST or server.host: 0.0.0.0 for every interface, 127.0.0.1 for this machine only.'

/**
 * Why the gateway could not listen on `host:port`, in one line that says what to do instead; `null` when `error`
 * is not a failure to listen. A port another program holds is the common one; a low port without privileges, an
 * address this machine does not have and a host name that does not resolve are the others.
 */
export function listenProblem(error: unknown, host: string, port: number): string | null {
  if (!isListenError(error)) return null
  const where = `${host.includes(':') ? `[${host}]` : host}:${port}`
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is in use (another carewindow, or another program). Choose another port ${CHOOSE_PORT}, e.g. --port ${port === 65_535 ? 8080 : port + 1}.`
    case 'EACCES':
      return `cannot listen on ${where}: permission denied${port < 1024 ? ' (ports below 1024 need privileges)' : ''}. Choose a port from 1024 up ${CHOOSE_PORT}.`
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine. ${CHOOSE_HOST}`
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name ${host} does not resolve. ${CHOOSE_HOST}`
    default:
      return `cannot listen on ${where}: ${error.message}`
  }
}

function isListenError(error: unknown): error is NodeJS.ErrnoException {
  if (!(error instanceof Error)) return false
  const { syscall, code } = error as NodeJS.ErrnoException
  // A host name that does not resolve fails in getaddrinfo before anything listens.
  return syscall === 'listen' || (syscall === 'getaddrinfo' && (code === 'ENOTFOUND' || code === 'EAI_AGAIN'))
}
