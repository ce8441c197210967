// A pack's QR code (/items/{code}/qr.svg|png): the image of an issued code, a 400 for a value that is
// no pack code or a mistyped one, a 404 for a code never issued; the OpenAPI document says all three.
import { createRequire } from 'node:module';
import QRCode from 'qrcode';
import type { Test } from 'tap';
import { mod31CheckChar } from '../../src/codes/mod31.js';
import { qrPng } from '../../src/items/labels.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

/** A world with one pack code issued by a farm. */
async function issuedPack(t: Test) {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('piece'), 10);
  const job = expectStatus(t, await farm.api.post(`/lots/${lot}/items`, { count: 1 }), 202, 'one code');
  await world.app.services.items.idle();
  const [pack] = ((await farm.api.get(`/code-jobs/${job.body.id}/codes.csv`)).body as string).trim().split('\n')[1].split(',');
  return { world, pack };
}

t.test('the QR routes answer an image, a 400 or a 404 problem, and document each', async (t) => {
  const { world, pack } = await issuedPack(t);
  const anyone = client(world.app);
  const neverIssued = pack.startsWith('2') ? '3333333333' : '2222222222';

  const svg = expectStatus(t, await anyone.get(`/items/${pack}/qr.svg?size=300`), 200, 'an SVG');
  t.match(svg.headers['content-type'], /^image\/svg\+xml/);
  t.match(svg.body, /<svg[^>]*width="300"/);
  const png = await world.app.inject({ method: 'GET', url: `/items/${pack}/qr.png` });
  t.equal(png.statusCode, 200, 'a PNG');
  t.equal(png.headers['content-type'], 'image/png');
  t.same([...png.rawPayload.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'its bytes as they are');

  const paths = (await anyone.get('/openapi.json')).body.paths;
  for (const format of ['svg', 'png']) {
    const mistyped = expectStatus(t, await anyone.get(`/items/${pack.slice(0, -1)}O/qr.${format}`), 400, `qr.${format}: a mistyped code`);
    t.match(mistyped.headers['content-type'], /^application\/problem\+json/);
    const unknown = expectStatus(
      t,
      await anyone.get(`/items/${neverIssued}${mod31CheckChar(neverIssued)}/qr.${format}`),
      404,
      'never issued',
    );
    t.match(unknown.headers['content-type'], /^application\/problem\+json/);

    const { responses } = paths[`/items/{code}/qr.${format}`].get;
    for (const status of ['400', '404']) {
      t.same(
        responses[status]?.content,
        { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        `qr.${format} documents its ${status}`,
      );
    }
    t.same(Object.keys(responses['200']?.content ?? {}), [format === 'svg' ? 'image/svg+xml' : 'image/png'], 'and its image');
  }
});

// the qrcode package's own PNG reader (its dependency), to read both images back as pixels
const require = createRequire(import.meta.url);
const { PNG } = createRequire(require.resolve('qrcode'))('pngjs') as {
  PNG: { sync: { read: (png: Buffer) => { width: number; height: number; data: Buffer } } };
};

t.test("a PNG QR has the very pixels the qrcode package's renderer draws", async (t) => {
  for (const url of ['https://fj.example/t/006DC3KQNH0', `https://trace.fengjie.example.gov.cn/t/${'K'.repeat(11)}`]) {
    for (const size of [64, 100, 256, 300, 777, 1024, 2048]) {
      const drawn = PNG.sync.read(await QRCode.toBuffer(url, { errorCorrectionLevel: 'M', margin: 4, type: 'png', width: size }));
      const ours = PNG.sync.read(qrPng(url, size));
      t.same([ours.width, ours.height], [drawn.width, drawn.height], `${size} px`);
      t.ok(ours.data.equals(drawn.data), `${url.length} characters at ${size} px: the same pixels`);
    }
  }
});

// what keeps a large QR from holding the service up, pinned without timing it: the PNG is drawn as a
// 1-bit greyscale image (a 2048-pixel one is 0.5 MB of rows to compress, not the 16 MB of RGBA the
// package fills and filters), and the route sends that image
t.test('a PNG QR is a 1-bit greyscale image, at the route too', async (t) => {
  const header = (png: Buffer) => ({ bitDepth: png[24], colourType: png[25], interlace: png[28] });
  t.same(header(qrPng('https://fj.example/t/006DC3KQNH0', 2048)), { bitDepth: 1, colourType: 0, interlace: 0 });
  const { world, pack } = await issuedPack(t);
  const image = await world.app.inject({ method: 'GET', url: `/items/${pack}/qr.png?size=2048` });
  t.equal(image.statusCode, 200);
  t.same(header(image.rawPayload), { bitDepth: 1, colourType: 0, interlace: 0 }, 'the route sends the 1-bit image');
  t.equal(PNG.sync.read(image.rawPayload).width, 2048);
});
