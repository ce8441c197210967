import t from 'tap'
import { chunkForInsert, selectInChunks } from '../../src/db/chunk.js'

const rows = (n: number, columns = 3) =>
  Array.from({ length: n }, (_, i) => Object.fromEntries(Array.from({ length: columns }, (_, c) => [`c${c}`, i])))

t.test('chunkForInsert', async (t) => {
  t.strictSame(chunkForInsert([]), [])
  t.strictSame(chunkForInsert([], 1), [])

  const input = rows(10, 3)
  const chunks = chunkForInsert(input, 10)
  t.strictSame(chunks.map((c) => c.length), [3, 3, 3, 1], 'floor(10 / 3) = 3 rows per chunk')
  t.strictSame(chunks.flat(), input, 'order and completeness preserved')
  t.equal(chunks[0][0], input[0], 'same row objects, not copies')

  for (const [n, columns, maxParams] of [
    [1, 1, 1],
    [100, 7, 60],
    [1000, 13, 60_000],
    [7, 2, 14],
    [7, 2, 15],
  ]) {
    const data = rows(n, columns)
    const split = chunkForInsert(data, maxParams)
    t.ok(split.every((c) => c.length * columns <= maxParams), `${n}x${columns} under ${maxParams}`)
    t.ok(split.every((c) => c.length > 0), 'no empty chunks')
    t.strictSame(split.flat(), data)
    t.equal(split.length, Math.ceil(n / Math.floor(maxParams / columns)), 'as few chunks as possible')
  }

  t.equal(chunkForInsert(rows(5, 3)).length, 1, 'default limit fits small inserts in one statement')
  const big = chunkForInsert(rows(25_000, 5))
  t.strictSame(big.map((c) => c.length), [12_000, 12_000, 1_000], 'default 60,000 params')
  t.ok(big.every((c) => c.length * 5 <= 65_535), 'under the PostgreSQL bind limit')

  t.strictSame(chunkForInsert(rows(3, 5), 2).map((c) => c.length), [1, 1, 1], 'at least one row per chunk')
  t.strictSame(chunkForInsert([{}, {}, {}], 2).map((c) => c.length), [2, 1], 'rows without keys count as one column')
})

// Column count is taken from the first row only; with rows of different shapes a chunk can go over.
t.test('chunkForInsert with rows of different width', async (t) => {
  const data: Record<string, number>[] = [{ a: 1 }, ...Array.from({ length: 7 }, () => ({ a: 1, b: 2, c: 3, d: 4 }))]
  const split = chunkForInsert(data, 8)
  t.ok(split.every((c) => c.reduce((n, row) => n + Object.keys(row).length, 0) <= 8))
})

t.test('selectInChunks', async (t) => {
  const values = Array.from({ length: 7 }, (_, i) => i)
  const slices: number[][] = []
  const result = await selectInChunks(
    values,
    async (slice) => {
      slices.push(slice)
      return slice.map((v) => `r${v}`)
    },
    3,
  )
  t.strictSame(slices, [[0, 1, 2], [3, 4, 5], [6]], 'one call per slice')
  t.strictSame(result, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6'], 'results concatenated in order')

  let calls = 0
  t.strictSame(await selectInChunks([], async () => (calls++, [1])), [], 'empty input')
  t.equal(calls, 0, 'selector not called for empty input')

  // Selectors may return more or fewer rows than values, and finish in any order.
  const uneven = await selectInChunks(
    [1, 2, 3, 4],
    async (slice) => {
      await new Promise((resolve) => setTimeout(resolve, slice[0] === 1 ? 20 : 0))
      return slice[0] === 1 ? [] : slice.flatMap((v) => [v, v])
    },
    2,
  )
  t.strictSame(uneven, [3, 3, 4, 4])

  const defaultSlices: number[] = []
  await selectInChunks(Array.from({ length: 25_001 }, (_, i) => i), async (slice) => {
    defaultSlices.push(slice.length)
    return []
  })
  t.strictSame(defaultSlices, [10_000, 10_000, 5_001], 'default slice of 10,000')

  let active = 0
  let maxActive = 0
  await selectInChunks(
    values,
    async () => {
      active++
      maxActive = Math.max(maxActive, active)
      await new Promise((resolve) => setTimeout(resolve, 1))
      active--
      return []
    },
    2,
  )
  t.equal(maxActive, 1, 'slices run one after another (a transaction connection serves one query at a time)')

  await t.rejects(
    selectInChunks([1, 2, 3], async (slice) => {
      if (slice[0] === 3) throw new Error('boom')
      return slice
    }, 2),
    /boom/,
    'a failing slice rejects the whole select',
  )
})
