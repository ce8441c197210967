// A name (of a party, a product, a location, an applying enterprise) is shown to people on pages,
// labels and exports: characters nothing shows (zero-width spaces, a byte-order mark, bidi controls,
// C0 and C1 controls) would make two names that look alike differ, or reorder what is shown. They
// are refused at the name's field; Chinese and ASCII punctuation are not.
import { createWorld, expectStatus, randomUscc, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\ufeff',
  '\u202a',
  '\u202b',
  '\u202c',
  '\u202d',
  '\u202e',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
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
const hex = (character: string) => `U+${(character.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
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
  const anonymous = client(world.app);
  const doors = {
    party: (name: string) => world.admin.post('/parties', { kind: 'processor', name, uscc: randomUscc(), regionCode: '500236' }),
    product: (name: string) => processor.api.post('/products', { partyCode: processor.code, name, category: 'cured_meat', unit: 'kg' }),
    location: (name: string) => processor.api.post('/locations', { partyCode: processor.code, name, kind: 'plant', regionCode: '500236' }),
    application: (name: string) => anonymous.post('/registrations', registrationBody({ name })),
  };
  for (const [door, register] of Object.entries(doors)) {
    t.test(door, async (t) => {
      for (const character of INVISIBLE) {
        const reply = await register(`奉节${character}腊肉`);
        expectStatus(t, reply, 400, `a ${door} name with ${hex(character)}`);
        t.match(reply.body.errors, [{ in: 'body', pointer: '/name', detail: hex(character) }], `${hex(character)} at /name, named`);
      }
      for (const name of ORDINARY) expectStatus(t, await register(name), 201, `${door} ${name}`);
    });
  }
});
