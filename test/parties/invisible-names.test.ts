// A name (of a party, a product, a location, an applying enterprise and its contact person, an
// applicant's uploaded file, a brand, an RFID reader or read point, a tested item of an inspection)
// is shown to people on pages, labels and exports: characters nothing shows (zero-width spaces, a
// byte-order mark, bidi controls, C0 and C1 controls) would make two names that look alike differ,
// or reorder what is shown. They are refused at the name's field; Chinese and ASCII punctuation are not.

import { BIDI_CONTROLS, hex } from '../fixtures/characters.js';
import { registerReader } from '../fixtures/rfid-world.js';
import { createWorld, expectStatus, randomUscc, registrationBody } from '../fixtures/world.js';
import { client, type Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  ...BIDI_CONTROLS,
  '\u00ad',
  '\u2028',
  '\u2029',
  '\u0001',
  '\t',
  '\n',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u009f',
];
const ORDINARY = [
  '奉节县永安腊肉加工厂（有限公司）',
  '“老字号”·奉节腊肉，500g；【特级】！',
  'Kuizhou Foods Co., Ltd. (No.1) & Sons - "A/B" #2: 50%?',
  // a minority name's middle dot, the ideographic space, the katakana middle dot, an ideographic variation selector
  '阿卜杜·热合曼腊肉店',
  '奉节\u3000腊肉',
  'サトウ・タロウ',
  '葛\u{E0100}家腊肉',
];

t.test('names with invisible or control characters are refused at their field; ordinary punctuation is not', async (t) => {
  const world = await createWorld(t, undefined, { registrationsPerHour: 1000 });
  const processor = await world.party('processor');
  const lotCode = await processor.commission(await processor.product(), 10);
  const reader = await registerReader(world, processor);
  const coldStore = await processor.location('cold_store');
  const anonymous = client(world.app);
  let serial = 0;
  // a brand's Chinese name is its own: one of its code unless the door registers it
  const brand = (names: { nameZh?: string; nameEn?: string }) => {
    const code = `B-${++serial}`;
    return world.regulator.post('/brands', {
      code,
      kind: 'regional',
      regionCode: '500236',
      nameZh: `奉上好品 ${code}`,
      nameEn: 'Fengjie Finest',
      ...names,
    });
  };
  // each door registers a name and says at which field of the body it sits
  const doors: Record<string, { in?: 'query'; pointer: string; register: (name: string) => Promise<Reply> }> = {
    party: {
      pointer: '/name',
      register: (name) => world.admin.post('/parties', { kind: 'processor', name, uscc: randomUscc(), regionCode: '500236' }),
    },
    product: {
      pointer: '/name',
      register: (name) => processor.api.post('/products', { partyCode: processor.code, name, category: 'cured_meat', unit: 'kg' }),
    },
    location: {
      pointer: '/name',
      register: (name) => processor.api.post('/locations', { partyCode: processor.code, name, kind: 'plant', regionCode: '500236' }),
    },
    application: { pointer: '/name', register: (name) => anonymous.post('/registrations', registrationBody({ name })) },
    'application contact': {
      pointer: '/contact/person',
      register: (person) => anonymous.post('/registrations', registrationBody({ contact: { person, phone: '13800000000' } })),
    },
    'uploaded document': {
      in: 'query',
      pointer: '/name',
      register: async (name) => {
        const { id, ticket } = (await anonymous.post('/registrations', registrationBody())).body;
        const response = await world.app.inject({
          method: 'POST',
          url: `/registrations/${id}/documents?name=${encodeURIComponent(name)}`,
          payload: Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]),
          headers: { 'content-type': 'application/pdf', 'registration-ticket': ticket },
        });
        return { status: response.statusCode, body: response.json(), headers: response.headers };
      },
    },
    'brand (Chinese)': { pointer: '/nameZh', register: (nameZh) => brand({ nameZh }) },
    'brand (English)': { pointer: '/nameEn', register: (nameEn) => brand({ nameEn }) },
    'RFID reader': {
      pointer: '/name',
      register: (name) => processor.api.post('/rfid/readers', { partyCode: processor.code, hostName: `FX9600-N${++serial}`, name }),
    },
    'RFID read point': {
      pointer: '/name',
      register: (name) =>
        processor.api.post('/rfid/read-points', {
          partyCode: processor.code,
          locationCode: coldStore,
          name,
          role: 'observe',
          antennas: [{ readerId: reader.id, antenna: ++serial % 64 }],
        }),
    },
    'tested item': {
      pointer: '/inspection/items/0/name',
      register: (name) =>
        processor.event({
          type: 'inspect',
          lotCodes: [lotCode],
          inspection: { kind: 'self', result: 'pass', items: [{ name, result: 'pass' }] },
        }),
    },
  };
  for (const [door, { in: where = 'body', pointer, register }] of Object.entries(doors)) {
    t.test(door, async (t) => {
      for (const character of INVISIBLE) {
        const reply = await register(`奉节${character}腊肉`);
        expectStatus(t, reply, 400, `a ${door} name with ${hex(character)}`);
        t.match(reply.body.errors, [{ in: where, pointer, detail: hex(character) }], `${hex(character)} at ${pointer}, named`);
      }
      for (const name of ORDINARY) expectStatus(t, await register(name), 201, `${door} ${name}`);
    });
  }
});
