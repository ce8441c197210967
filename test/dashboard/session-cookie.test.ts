// The dashboard's session cookie is Secure where the browser reached the service over HTTPS (the
// request itself, or X-Forwarded-Proto from a proxy TRUST_PROXY names, or an https PUBLIC_BASE_URL),
// and not over plain HTTP on a LAN address, where a browser would drop a Secure cookie and sign-in
// would lead back to the form for ever. HttpOnly, SameSite=Strict and Path=/regulator either way.
import { createWorld, type World } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

const signIn = async (world: World, headers: Record<string, string> = {}) => {
  const { key } = await world.ok(world.admin.post('/api-keys', { role: 'regulator' }));
  return world.app.inject({
    method: 'POST',
    url: '/regulator/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: `key=${encodeURIComponent(key)}`,
  });
};
const signOut = (world: World, cookie: string, headers: Record<string, string> = {}) =>
  world.app.inject({ method: 'POST', url: '/regulator/logout', headers: { cookie, ...headers } });

t.test('over plain HTTP on a LAN address: the session cookie is not Secure, and the dashboard opens with it', async (t) => {
  const world = await createWorld(t, undefined, { publicBaseUrl: 'http://192.168.1.20:3000', trustProxy: 1 });
  const signedIn = await signIn(world);
  t.equal(signedIn.statusCode, 303);
  const cookie = String(signedIn.headers['set-cookie']);
  t.match(cookie, /^regulator_session=[\w-]{43}; Path=\/regulator; Max-Age=28800; HttpOnly; SameSite=Strict$/, 'no Secure over http');
  const session = cookie.split(';')[0];
  const page = await world.app.inject({ method: 'GET', url: '/regulator/dashboard', headers: { cookie: session } });
  t.equal(page.statusCode, 200, 'the browser sends it back: the dashboard, not the sign-in form');
  t.match(
    String((await signOut(world, session)).headers['set-cookie']),
    /^regulator_session=; Path=\/regulator; Max-Age=0; HttpOnly; SameSite=Strict$/,
  );

  // the same service behind a TLS-terminating proxy it trusts: the browser is on https
  const behindProxy = String((await signIn(world, { 'x-forwarded-proto': 'https' })).headers['set-cookie']);
  t.match(
    behindProxy,
    /^regulator_session=[\w-]{43}; Path=\/regulator; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/,
    'Secure over https',
  );
  t.match(
    String((await signOut(world, behindProxy.split(';')[0], { 'x-forwarded-proto': 'https' })).headers['set-cookie']),
    /^regulator_session=; Path=\/regulator; Max-Age=0; HttpOnly; Secure; SameSite=Strict$/,
  );
});

t.test('X-Forwarded-Proto from a proxy the service does not trust changes nothing', async (t) => {
  const world = await createWorld(t, undefined, { publicBaseUrl: 'http://192.168.1.20:3000' });
  const cookie = String((await signIn(world, { 'x-forwarded-proto': 'https' })).headers['set-cookie']);
  t.notMatch(cookie, 'Secure', 'the request came over http');
  t.match(cookie, /; HttpOnly; SameSite=Strict$/);
});

t.test('an https PUBLIC_BASE_URL: Secure even where the proxy in front is not named in TRUST_PROXY', async (t) => {
  const world = await createWorld(t, undefined, { publicBaseUrl: 'https://trace.fengjie.gov.cn' });
  const cookie = String((await signIn(world)).headers['set-cookie']);
  t.match(cookie, /^regulator_session=[\w-]{43}; Path=\/regulator; Max-Age=28800; HttpOnly; Secure; SameSite=Strict$/);
});
