/**
 * The opaque cursor of the `/v1` lists that page newest or oldest first by an instant and an id: base64url of
 * `[instant, id]` of the page's last item.
 */
export interface Position {
  readonly at: number
  readonly id: string
}

export function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url')
}

/** The position a cursor names, or `undefined` when it is not one carewindow gave out. */
export function decodePosition(cursor: string): Position | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined
  const [at, id] = value as unknown[]
  if (!Number.isSafeInteger(at) || typeof id !== 'string' || !/^[\x21-\x7e]{1,256}$/.test(id))
    return undefined
  return { at: at as number, id }
}
