import { createReadStream } from 'node:fs'

/** One line of a JSON-lines file: its bytes, or why they were not read. */
export type FileLine =
  | {
      readonly kind: 'line'
      /** 1-based. */
      readonly number: number
      readonly bytes: Buffer
      /** Bytes of the file read through the end of this line: progress and ETA go by them. */
      readonly offset: number
    }
  | { readonly kind: 'too_long'; readonly number: number; readonly length: number; readonly offset: number }

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

/**
 * The lines of a file, read as a stream of bytes — never the whole file, and never more than `maxLineBytes` of one
 * line: a longer line is reported (`too_long`) and its bytes skipped up to the next newline. Lines are bytes, not
 * text, so that what is not UTF-8 is refused as intake refuses it rather than silently replaced. A final line without
 * a newline counts; `\r\n` endings are read as `\n`; blank lines are skipped (their numbers still count).
 */
export async function* readLines(path: string, maxLineBytes: number): AsyncGenerator<FileLine> {
  let parts: Buffer[] = []
  let length = 0
  let isTooLong = false
  let number = 0
  let offset = 0
  const end = (): FileLine | null => {
    number++
    const line: FileLine | null = isTooLong
      ? { kind: 'too_long', number, length, offset }
      : lineOf(Buffer.concat(parts, length), number, offset)
    parts = []
    length = 0
    isTooLong = false
    return line
  }
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start)
      const stop = newline === -1 ? chunk.length : newline
      const piece = chunk.subarray(start, stop)
      if (!isTooLong && length + piece.length > maxLineBytes) {
        isTooLong = true
        parts = []
      }
      if (!isTooLong) parts.push(piece)
      length += piece.length
      offset += stop - start
      start = stop
      if (newline !== -1) {
        offset++
        start++
        const line = end()
        if (line !== null) yield line
      }
    }
  }
  if (length > 0 || isTooLong) {
    const line = end()
    if (line !== null) yield line
  }
}

function lineOf(bytes: Buffer, number: number, offset: number): FileLine | null {
  const text = bytes.at(-1) === CARRIAGE_RETURN ? bytes.subarray(0, -1) : bytes
  if (isBlank(text)) return null
  return { kind: 'line', number, bytes: text, offset }
}

function isBlank(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte !== 0x20 && byte !== 0x09 && byte !== CARRIAGE_RETURN) return false
  return true
}
