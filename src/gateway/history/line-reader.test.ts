import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readLines, type FileLine } from './line-reader.js'

describe('readLines', () => {
  let directory: string
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'carewindow-lines-'))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  async function linesOf(content: string | Buffer, maxLineBytes = 1_000): Promise<FileLine[]> {
    const path = join(directory, `file-${Math.random()}.jsonl`)
    await writeFile(path, content)
    const lines: FileLine[] = []
    for await (const line of readLines(path, maxLineBytes)) lines.push(line)
    return lines
  }

  const text = (line: FileLine | undefined) =>
    line?.kind === 'line' ? line.bytes.toString('utf8') : line?.kind

  it('numbers lines from 1, reads \\r\\n as \\n, skips blank lines and keeps a last line without a newline', async () => {
    const lines = await linesOf('{"a":1}\r\n\n   \n{"b":2}\n{"c":3}')
    expect(lines.map((line) => [line.number, text(line)])).toEqual([
      [1, '{"a":1}'],
      [4, '{"b":2}'],
      [5, '{"c":3}'],
    ])
    expect(lines.map((line) => line.offset)).toEqual([9, 22, 29])
  })

  it('reports a line over the limit with its length, across chunks, and goes on with the next', async () => {
    const long = 'x'.repeat(200_000)
    const lines = await linesOf(`{"a":1}\n${long}\n{"b":2}\n`, 100_000)
    expect(lines.map((line) => [line.number, line.kind === 'too_long' ? line.length : text(line)])).toEqual([
      [1, '{"a":1}'],
      [2, 200_000],
      [3, '{"b":2}'],
    ])
  })

  it('keeps the bytes as they are, invalid UTF-8 included', async () => {
    const [line] = await linesOf(Buffer.from([0x7b, 0xff, 0x7d, 0x0a]))
    expect(line?.kind === 'line' ? [...line.bytes] : null).toEqual([0x7b, 0xff, 0x7d])
  })

  it('reads an empty file as no lines', async () => {
    expect(await linesOf('')).toEqual([])
  })
})
