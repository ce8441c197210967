// A lot, container, product, location or pack code that fails its check character was mistyped, as a
// party code that fails is: every route naming one in its path says so (400), where an unknown code
// with a sound check character, or a value not shaped as one of these codes, is a 404. A code with a
// letter the alphabet leaves out (I, O, S, V, Z, typed for 1, 0, 5, U, 2) is shaped as one of ours.
import { completeGs1 } from '../../src/codes/gs1.js';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const mistyped = (code: string) => `${code.slice(0, -1)}${code.endsWith('A') ? 'B' : 'A'}`;
const wellFormed = (body: string) => body + mod31CheckChar(body);

t.test('a service code in a path with a wrong check character is a 400 saying so', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product();
  const location = await farm.location();
  const lot = await farm.commission(product, 10);

  // unknown: a code of the kind with a sound check character that names nothing
  const routes: Array<{ method: 'GET' | 'POST'; path: (code: string) => string; code: string; unknown?: string; api?: typeof farm.api }> = [
    { method: 'GET', path: (code) => `/lots/${code}`, code: lot, unknown: wellFormed('B2222222222') },
    { method: 'GET', path: (code) => `/lots/${code}`, code: wellFormed('H2222222222'), unknown: wellFormed('H3333333333') },
    { method: 'GET', path: (code) => `/lots/${code}/balance-sheet`, code: lot, unknown: wellFormed('B2222222222') },
    { method: 'POST', path: (code) => `/lots/${code}/items`, code: lot, unknown: wellFormed('B2222222222') },
    { method: 'GET', path: (code) => `/regulator/lots/${code}/scans`, code: lot, unknown: wellFormed('B2222222222'), api: world.regulator },
    { method: 'GET', path: (code) => `/products/${code}`, code: product, unknown: wellFormed('M2222222222') },
    { method: 'GET', path: (code) => `/locations/${code}`, code: location, unknown: wellFormed('A2222222222') },
    { method: 'GET', path: (code) => `/items/${code}/qr.svg`, code: wellFormed('2222222222'), unknown: wellFormed('3333333333') },
  ];
  for (const { method, path, code, unknown, api = farm.api } of routes) {
    const send = (url: string) => (method === 'POST' ? api.post(url, { count: 1 }) : api.get(url));
    const url = path(mistyped(code));
    const reply = expectStatus(t, await send(url), 400, `${method} ${url}`);
    t.match(reply.body.errors, [{ in: 'params', pointer: '/code', detail: 'check character wrong — probably a typo' }]);
    expectStatus(t, await send(path(mistyped(code).toLowerCase())), 400, 'in lower case too');
    if (unknown)
      expectStatus(t, await send(path(unknown)), 404, `${method} ${path(unknown)}: an unknown code with a sound check character`);
  }

  expectStatus(t, await farm.api.get(`/lots/${lot}`), 200, 'a lot code as issued');
  expectStatus(t, await farm.api.get(`/products/${product}`), 200, 'a product code as issued');
  expectStatus(t, await farm.api.get(`/locations/${location}`), 200, 'a location code as issued');
  expectStatus(t, await farm.api.get('/lots/NO-SUCH-LOT'), 404, 'a value shaped as no code of ours is looked up, not refused');
  // a code of another kind is no typo of this one: it names nothing here
  expectStatus(t, await farm.api.get(`/products/${mistyped(lot)}`), 404, 'a mistyped lot code as a product');
});

t.test('a code with a letter the alphabet leaves out (I, O, …) is a typo in a path, as in a trace or an event', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const product = await farm.product();
  const location = await farm.location();
  const lot = await farm.commission(product, 10);
  const container = wellFormed('H2222222222');
  const pack = wellFormed('2222222222');
  /** The code with `letter` in place of its character at `at`: in its random part, or as its check character. */
  const confused = (code: string, letter: string, at: number) => `${code.slice(0, at)}${letter}${code.slice(at + 1)}`;

  const paths: Array<{ path: (code: string) => string; code: string; api?: typeof farm.api }> = [
    { path: (code) => `/lots/${code}`, code: lot },
    { path: (code) => `/lots/${code}`, code: container },
    { path: (code) => `/lots/${code}/balance-sheet`, code: lot },
    { path: (code) => `/regulator/lots/${code}/scans`, code: lot, api: world.regulator },
    { path: (code) => `/products/${code}`, code: product },
    { path: (code) => `/locations/${code}`, code: location },
    { path: (code) => `/items/${code}/qr.svg`, code: pack },
    { path: (code) => `/items/${code}/qr.png`, code: pack },
    { path: (code) => `/parties/${code}`, code: farm.code },
  ];
  for (const { path, code, api = farm.api } of paths) {
    for (const typo of [confused(code, 'I', code.length - 2), confused(code, 'O', code.length - 1)]) {
      const reply = expectStatus(t, await api.get(path(typo)), 400, `GET ${path(typo)}`);
      t.match(reply.body.errors, [{ in: 'params', pointer: '/code', detail: 'check character wrong — probably a typo' }]);
      expectStatus(t, await api.get(path(typo.toLowerCase())), 400, 'in lower case too');
    }
  }

  // the reviewer's example, the same in every place that reads a lot code
  const typo = 'B000000000IT';
  expectStatus(t, await farm.api.get(`/lots/${typo}`), 400, 'in a path');
  expectStatus(t, await farm.api.get(`/trace/${typo}`), 400, 'in a trace');
  expectStatus(t, await farm.event({ type: 'observe', lotCodes: [typo] }), 400, 'in an event');
  expectStatus(t, await farm.api.get(`/lots/${lot}`), 200, 'the lot code as issued');
});

t.test('a mistyped identifier in a trace or a scanned pack code points at the path’s code', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product(), 10);
  const pack = wellFormed('2222222222');
  const sscc = completeGs1('30690123400000001');
  const cases: Array<{ url: string; detail: RegExp; api?: typeof farm.api }> = [
    { url: `/trace/${mistyped(lot)}`, detail: /check character is wrong — probably a typo/ },
    { url: `/trace/${sscc.slice(0, -1)}${(Number(sscc.at(-1)) + 1) % 10}`, detail: /check digit is wrong — probably a typo/ },
    { url: `/trace/${mistyped(pack)}`, detail: /check character is wrong — probably a typo/ },
    { url: '/trace/hello', detail: /not an identifier this service knows/ },
    { url: `/t/${mistyped(pack)}?format=json`, detail: /check character is wrong — probably a typo/, api: client(world.app) },
    { url: `/t/${lot}?format=json`, detail: /not a trace code/, api: client(world.app) },
  ];
  for (const { url, detail, api = farm.api } of cases) {
    const reply = expectStatus(t, await api.get(url, { accept: 'application/json' }), 400, url);
    t.match(reply.body, { detail, errors: [{ in: 'params', pointer: '/code', detail }] }, `${url}: the field and what is wrong with it`);
  }
  expectStatus(t, await farm.api.get(`/trace/${sscc}`), 404, 'the SSCC with its check digit: unknown, not mistyped');
  expectStatus(t, await farm.api.get(`/trace/${lot}`), 200, 'the lot code as issued');
});
