// Swagger UI at /docs may not be framed by another site (clickjacking an admin who pasted a key),
// and its policy still lets it load what it loads: its own scripts, styles, icons and document.
import type { AddressInfo } from 'node:net';
import { buildTestApp } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** The directives of a Content-Security-Policy header, by name. */
const directivesOf = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name.toLowerCase(), sources]),
  );

/** Whether a same-origin resource of `kind` may load under the policy (its own directive, else default-src). */
const allowsSelf = (directives: Map<string, string[]>, kind: string) =>
  (directives.get(kind) ?? directives.get('default-src'))?.includes("'self'");

t.test('every answer of the docs is refused to frames, and the page loads all it names from its own site', async (t) => {
  const { app } = await buildTestApp(t);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const page = await fetch(`${base}/docs/`);
  t.equal(page.status, 200);
  const html = await page.text();
  const policy = page.headers.get('content-security-policy') ?? '';
  const directives = directivesOf(policy);
  t.strictSame(directives.get('frame-ancestors'), ["'none'"], 'no site may frame the page, its own neither');
  t.equal(page.headers.get('x-frame-options'), 'DENY', 'for browsers that read no frame-ancestors');
  t.notOk(directives.has('upgrade-insecure-requests'), 'served over plain http on a LAN, the page would lose its scripts');

  const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map(([, attributes]) => /src="([^"]+)"/.exec(attributes)?.[1]);
  t.ok(scripts.length > 0, 'the page has scripts');
  t.notOk(scripts.includes(undefined), 'none inline, which script-src would block');
  const styles = [...html.matchAll(/<link rel="stylesheet"[^>]*href="([^"]+)"/g)].map(([, href]) => href);
  const icons = [...html.matchAll(/<link rel="icon"[^>]*href="([^"]+)"/g)].map(([, href]) => href);
  t.ok(styles.length > 0 && icons.length > 0, 'and styles and icons');
  t.notMatch(html, /<style\b|\sstyle="/, 'no inline style, which style-src would block');
  const resources = [
    ...scripts.map((src) => ({ kind: 'script-src', url: src as string })),
    ...styles.map((url) => ({ kind: 'style-src', url })),
    ...icons.map((url) => ({ kind: 'img-src', url })),
    // what swagger-initializer.js fetches: the OpenAPI document, and the API itself on "Try it out"
    { kind: 'connect-src', url: './json' },
  ];
  for (const { kind, url } of resources) {
    const resolved = new URL(url, `${base}/docs/`);
    t.equal(resolved.origin, base, `${url}: from the site itself`);
    t.ok(allowsSelf(directives, kind), `${url}: ${kind} allows it`);
    const answer = await fetch(resolved);
    t.equal(answer.status, 200, `${url}: served`);
    t.match(answer.headers.get('content-security-policy'), /frame-ancestors 'none'/, `${url}: refused to frames too`);
    t.equal(answer.headers.get('x-frame-options'), 'DENY', `${url}: X-Frame-Options too`);
    await answer.arrayBuffer();
  }
  t.ok(directives.get('img-src')?.includes('data:'), 'the logo and the stylesheet’s icons are data: URLs');
  t.ok(directives.get('img-src')?.includes('blob:'), 'an image answer tried out (a QR code) is shown from a blob: URL');

  const initializer = await (await fetch(`${base}/docs/static/swagger-initializer.js`)).text();
  t.match(initializer, /validatorUrl: null/, 'no badge from validator.swagger.io, which img-src does not allow');

  const bare = await fetch(`${base}/docs`, { redirect: 'manual' });
  t.equal(bare.headers.get('x-frame-options'), 'DENY', '/docs without its slash too');
});
