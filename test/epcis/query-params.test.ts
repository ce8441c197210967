// EPCIS query parameters as GET /epcis/events, named queries and subscriptions read them: a time
// bound is one ISO 8601 date-time with its offset, a page size a decimal count; anything else is a
// 400 naming the parameter, never a guess.

import { newContainerCode, newLotCode } from '../../src/codes/service-codes.js';
import { encodeLotPageToken, encodePageToken, parseLotPaging, parseQueryRequest, storedQueryParams } from '../../src/epcis/query-params.js';
import { Problem } from '../../src/errors/problem.js';
import { fileTest } from '../root.js';

const t = fileTest();

const refusal = (parse: () => unknown) => {
  try {
    parse();
    return undefined;
  } catch (error) {
    return error instanceof Problem
      ? { status: error.status, in: error.errors?.[0]?.in, pointer: error.errors?.[0]?.pointer, detail: error.errors?.[0]?.detail }
      : error;
  }
};

t.test('time bounds: an ISO 8601 date-time with its offset, given once', async (t) => {
  for (const [value, instant] of [
    ['2026-03-01T00:00:00Z', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T08:00:00+08:00', '2026-03-01T00:00:00.000Z'],
    ['2026-03-01T08:00:00.123456+08:00', '2026-03-01T00:00:00.123Z'],
  ]) {
    t.equal(parseQueryRequest({ GE_eventTime: value }).eventTimeFrom?.toISOString(), instant, value);
  }
  for (const name of ['GE_eventTime', 'LT_eventTime', 'GE_recordTime', 'LT_recordTime']) {
    for (const value of ['1', '2026', 'March 1, 2026', '2026-03-01', '2026-03-01T00:00:00', '2026-03-01 00:00:00Z', '0x10']) {
      t.match(
        refusal(() => parseQueryRequest({ [name]: value })),
        { status: 400, in: 'querystring', pointer: `/${name}`, detail: /ISO 8601 time with an offset/ },
        `${name}=${value}`,
      );
    }
    t.match(
      refusal(() => parseQueryRequest({ [name]: '2026-03-01T08:00:00 08:00' })),
      { status: 400, pointer: `/${name}`, detail: /write it %2B/ },
      `${name}: a "+" sent unescaped, read as a space, is told how to write it`,
    );
    t.match(
      refusal(() => parseQueryRequest({ [name]: '1899-12-31T00:00:00Z' })),
      { status: 400, detail: /years/ },
    );
    t.match(
      refusal(() => parseQueryRequest({ [name]: ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] })),
      { status: 400, pointer: `/${name}`, detail: 'must be given once' },
      `${name} repeated`,
    );
  }
});

t.test('page size: decimal digits from 1 to 1000; a page token given once', async (t) => {
  t.equal(parseQueryRequest({}).limit, 30, 'default');
  t.equal(parseQueryRequest({ perPage: '1000' }).limit, 1000);
  t.equal(parseQueryRequest({ perPage: '7' }).limit, 7);
  for (const value of ['0x10', '1e1', '0', '1001', '-1', ' 5', '5.0', '']) {
    t.match(
      refusal(() => parseQueryRequest({ perPage: value })),
      { status: 400, pointer: '/perPage', detail: 'must be a decimal integer 1…1000' },
      `perPage=${value}`,
    );
  }
  t.match(
    refusal(() => parseQueryRequest({ perPage: ['5', '6'] })),
    { status: 400, pointer: '/perPage', detail: 'given more than once; takes one value' },
    'perPage given twice',
  );
  t.match(
    refusal(() => parseQueryRequest({ nextPageToken: ['a', 'b'] })),
    { status: 400, pointer: '/nextPageToken' },
  );
});

t.test('a named query keeps valid bounds and refuses the rest when it is stored, pointing into its query in the body', async (t) => {
  t.same(storedQueryParams({ GE_eventTime: '2026-03-01T00:00:00+08:00' }), { GE_eventTime: ['2026-03-01T00:00:00+08:00'] });
  t.match(
    refusal(() => storedQueryParams({ GE_eventTime: '2026-03-01T00:00:00' })),
    { status: 400, in: 'body', pointer: '/query/GE_eventTime' },
  );
  t.match(
    refusal(() => storedQueryParams({ LT_recordTime: ['2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'] })),
    { status: 400, in: 'body', pointer: '/query/LT_recordTime', detail: 'must be given once' },
  );
  t.match(
    refusal(() => storedQueryParams({ eventType: 'ColourEvent' })),
    { status: 400, in: 'body', pointer: '/query/eventType' },
  );
});

t.test('order: orderBy eventTime or recordTime, orderDirection ASC or DESC (DESC when omitted, as the standard says)', async (t) => {
  t.same(parseQueryRequest({}).order, { by: 'eventTime', direction: 'ASC' }, 'no orderBy: the service’s own order');
  t.same(parseQueryRequest({ orderDirection: 'DESC' }).order, { by: 'eventTime', direction: 'DESC' });
  t.same(parseQueryRequest({ orderBy: 'eventTime' }).order, { by: 'eventTime', direction: 'DESC' });
  t.same(parseQueryRequest({ orderBy: 'recordTime', orderDirection: 'ASC' }).order, { by: 'recordTime', direction: 'ASC' });
  for (const value of ['quantity', 'bizStep', 'eventtime', 'https://ref.gs1.org/epcis/eventTime', '', ['eventTime', 'recordTime']]) {
    t.match(
      refusal(() => parseQueryRequest({ orderBy: value })),
      { status: 400, pointer: '/orderBy', detail: Array.isArray(value) ? 'must be given once' : 'one of eventTime, recordTime' },
      `orderBy=${value}`,
    );
  }
  for (const value of ['asc', 'DOWN', '']) {
    t.match(
      refusal(() => parseQueryRequest({ orderBy: 'eventTime', orderDirection: value })),
      { status: 400, pointer: '/orderDirection', detail: 'one of ASC, DESC' },
      `orderDirection=${value}`,
    );
  }
});

t.test('a page token continues the order it was issued for, and no other', async (t) => {
  const last = { time: '2026-03-01T00:00:00.123456Z', id: 'e1' };
  const token = encodePageToken({ by: 'recordTime', direction: 'DESC' }, last);
  t.same(parseQueryRequest({ orderBy: 'recordTime', nextPageToken: token }).after, last);
  for (const params of [{}, { orderBy: 'eventTime' }, { orderBy: 'recordTime', orderDirection: 'ASC' }]) {
    t.match(
      refusal(() => parseQueryRequest({ ...params, nextPageToken: token })),
      { status: 400, pointer: '/nextPageToken', detail: /ordered by recordTime DESC/ },
      JSON.stringify(params),
    );
  }
  // a token issued before listings had an order: { t, id } only
  const older = Buffer.from(JSON.stringify({ t: '2026-03-01T00:00:00.123Z', id: last.id })).toString('base64url');
  t.same(
    parseQueryRequest({ nextPageToken: older }).after,
    { time: '2026-03-01T00:00:00.123000Z', id: last.id },
    'an earlier token continues the eventTime ascending listing',
  );
  t.match(
    refusal(() => parseQueryRequest({ orderBy: 'recordTime', nextPageToken: older })),
    { detail: /ordered by eventTime ASC/ },
  );
});

t.test('a page token whose time is not the instant this service writes is refused, not read as some other time', async (t) => {
  const forged = (fields: object) =>
    Buffer.from(JSON.stringify({ by: 'eventTime', dir: 'ASC', id: 'e1', ...fields })).toString('base64url');
  // new Date() reads null and false as 1970, a number as milliseconds, '2026' as a year
  for (const time of [
    null,
    false,
    0,
    1772323200000,
    '2026',
    'March 1, 2026',
    '2026-03-01T00:00:00+08:00',
    '2026-03-01T00:00:00.1234Z',
    '0000-03-01T00:00:00.000000Z',
  ]) {
    t.match(
      refusal(() => parseQueryRequest({ nextPageToken: forged({ t: time }) })),
      { status: 400, pointer: '/nextPageToken', detail: 'not a token this service issued' },
      JSON.stringify(time),
    );
  }
  // to the millisecond, as tokens were written before they carried microseconds: the same instant
  t.same(parseQueryRequest({ nextPageToken: forged({ t: '2026-03-01T00:00:00.000Z' }) }).after, {
    time: '2026-03-01T00:00:00.000000Z',
    id: 'e1',
  });
  t.same(parseQueryRequest({ nextPageToken: forged({ t: '2026-03-01T00:00:00.000001Z' }) }).after, {
    time: '2026-03-01T00:00:00.000001Z',
    id: 'e1',
  });
});

t.test('a page token of /epcis/epcs carries its last lot, and the last EPC listed of it when more of its EPCs follow', async (t) => {
  const lotCode = newLotCode();
  const epc = 'https://id.gs1.org/01/80614141123458/21/6789';
  for (const last of [{ lotCode }, { lotCode: newContainerCode() }, { lotCode, epc }, { lotCode, epc: `urn:x:${'a'.repeat(1994)}` }]) {
    t.same(
      parseLotPaging({ perPage: '5', nextPageToken: encodeLotPageToken(last) }),
      { limit: 5, after: last },
      JSON.stringify(last).slice(0, 80),
    );
  }
  const forged = (fields: object) =>
    Buffer.from(JSON.stringify({ by: 'lotCode', dir: 'ASC', id: lotCode, ...fields })).toString('base64url');
  for (const fields of [
    { id: 'B' },
    { id: `${lotCode} ` },
    { id: 7 },
    { epc: null },
    { epc: 7 },
    { epc: [epc] },
    { epc: '' },
    { epc: `${epc}\u0000` },
    { epc: `${epc} ` },
    { epc: `${epc}\u00e9` },
    { epc: '\ud800' },
    { epc: `urn:x:${'a'.repeat(1995)}` },
  ]) {
    t.match(
      refusal(() => parseLotPaging({ nextPageToken: forged(fields) })),
      { status: 400, pointer: '/nextPageToken', detail: 'not a token this service issued' },
      JSON.stringify(fields).slice(0, 80),
    );
  }
  t.match(
    refusal(() => parseLotPaging({ nextPageToken: forged({ dir: 'DESC', epc }) })),
    { status: 400, detail: /ordered by lotCode DESC/ },
  );
});

t.test('a named query stores its order and refuses an unknown one', async (t) => {
  t.same(storedQueryParams({ orderBy: 'recordTime', orderDirection: 'ASC' }), { orderBy: ['recordTime'], orderDirection: ['ASC'] });
  t.match(
    refusal(() => storedQueryParams({ orderBy: 'quantity' })),
    { status: 400, in: 'body', pointer: '/query/orderBy', detail: 'one of eventTime, recordTime' },
  );
  t.match(
    refusal(() => storedQueryParams({ orderDirection: 'UP' })),
    { status: 400, in: 'body', pointer: '/query/orderDirection' },
  );
});

t.test(
  'the further standard parameters: EQ_action by its three values, quantity bounds as numbers, typed lists by their type',
  async (t) => {
    t.same(parseQueryRequest({ EQ_action: 'ADD|DELETE' }).actions, ['ADD', 'DELETE']);
    for (const value of ['add', 'Observe', 'UPDATE']) {
      t.match(
        refusal(() => parseQueryRequest({ EQ_action: value })),
        { status: 400, in: 'querystring', pointer: '/EQ_action', detail: `unknown action ${value}; one of ADD, OBSERVE, DELETE` },
        value,
      );
    }
    t.match(
      refusal(() => storedQueryParams({ EQ_action: 'CHANGE' })),
      { status: 400, in: 'body', pointer: '/query/EQ_action' },
      'in a named query too',
    );
    t.same(
      parseQueryRequest({ GT_quantity: '2.5', LE_quantity: '1e3', EQ_quantity: '0.50000000000000001' }).quantities,
      [
        { op: 'EQ', value: '0.50000000000000001' },
        { op: 'GT', value: '2.5' },
        { op: 'LE', value: '1e3' },
      ],
      'as written, every digit kept',
    );
    t.same(parseQueryRequest({ LT_quantity: '1e400', GT_quantity: '1e-400' }).quantities?.length, 2, 'beyond a double, within numeric');
    for (const value of ['ten', '', '1,5', 'Infinity', '0x10', 'NaN']) {
      t.match(
        refusal(() => parseQueryRequest({ EQ_quantity: value })),
        { status: 400, pointer: '/EQ_quantity', detail: 'must be a number' },
        `EQ_quantity=${value}`,
      );
    }
    for (const [value, detail] of [
      ['9'.repeat(65), 'must be a number of at most 64 characters'],
      ['1e-16384', 'must be a number within 131072 digits before the decimal point and 16383 after'],
      ['0e-20000', 'must be a number within 131072 digits before the decimal point and 16383 after'],
      ['1e131072', 'must be a number within 131072 digits before the decimal point and 16383 after'],
      ['1e99999999999999999999', 'must be a number within 131072 digits before the decimal point and 16383 after'],
      ['0e1073741823', 'must be a number within 131072 digits before the decimal point and 16383 after'],
      ['-0.0e99999999999999999999', 'must be a number within 131072 digits before the decimal point and 16383 after'],
    ]) {
      t.match(
        refusal(() => parseQueryRequest({ GE_quantity: value })),
        { status: 400, pointer: '/GE_quantity', detail },
        value,
      );
    }
    t.ok(parseQueryRequest({ GE_quantity: '1.5e-16382', LE_quantity: '99e131070' }).quantities, 'the edges numeric holds');
    const { bizTransactions, sources, destinations } = parseQueryRequest({
      EQ_bizTransaction_po: 'urn:a|urn:b',
      EQ_source_owning_party: 'urn:c',
    });
    t.same(
      { bizTransactions, sources, destinations },
      {
        bizTransactions: [{ type: 'po', values: ['urn:a', 'urn:b'] }],
        sources: [{ type: 'owning_party', values: ['urn:c'] }],
        destinations: undefined,
      },
    );
    t.same(storedQueryParams({ EQ_destination_location: 'urn:d', WD_readPoint: 'urn:e' }), {
      EQ_destination_location: ['urn:d'],
      WD_readPoint: ['urn:e'],
    });
    t.match(
      refusal(() => parseQueryRequest({ EQ_bizTransaction_: 'urn:a' })),
      { status: 400, pointer: '/EQ_bizTransaction_', detail: 'a standard EPCIS query parameter this service does not support' },
      'a typed list without its type',
    );
  },
);
