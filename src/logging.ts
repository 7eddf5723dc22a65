import pino, { type Logger } from 'pino'

/** Query parameters that carry credentials; their values never reach a log line. */
const SECRET_PARAMETERS = /([?&](?:access_token|appsecret_proof|hub\.verify_token)=)[^&]*/g

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMETERS, '$1[redacted]')
}

/**
 * Structured JSON logs (pino) without secrets: authorization headers, tokens and secrets are redacted wherever
 * they appear, and request URLs lose credential query parameters.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'carewindow' },
      redact: {
        paths: [
          'req.headers.authorization',
          'headers.authorization',
          '*.access_token',
          '*.accessToken',
          '*.app_secret',
          '*.appSecret',
          '*.webhook_secret',
          '*.webhookSecret',
          '*.api_key',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
      serializers: {
        req: (request: { method?: string; url?: string; id?: string }) => ({
          method: request.method,
          url: redactUrl(request.url ?? ''),
          id: request.id,
        }),
        err: pino.stdSerializers.err,
      },
    },
    destination,
  )
}
