// An address is shown as a name is: a producer's beside its name on the consumer page, a site's in
// traces and recall lists, and an enterprise's is read for the township it names (by=township). Characters
// nothing shows, bidi controls and line breaks are refused at the address's field, at every door
// that takes one; ordinary addresses, Chinese punctuation included, are not.
import { hex } from '../fixtures/characters.js';
import { createWorld, expectStatus, randomUscc, registrationBody } from '../fixtures/world.js';
import { client, type Reply } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

const INVISIBLE = ['\u200b', '\u202e', '\u2066', '\ufeff', '\u00ad', '\n', '\t', '\u0007', '\u0085', '\u2028'];
const ORDINARY = ['重庆市奉节县永安街道 1 号', '奉节县草堂镇（原草堂乡）长乐村 3 组·12 号', 'No. 8, Yong’an Rd., Fengjie, Chongqing'];

t.test('addresses with invisible or control characters are refused at their field', async (t) => {
  const world = await createWorld(t, undefined, { registrationsPerHour: 1000 });
  const processor = await world.party('processor');
  const doors: Record<string, (address: string) => Promise<Reply>> = {
    party: (address) =>
      world.admin.post('/parties', { kind: 'processor', name: '腊肉厂', uscc: randomUscc(), regionCode: '500236', address }),
    application: (address) => client(world.app).post('/registrations', registrationBody({ address })),
    location: (address) =>
      processor.api.post('/locations', { partyCode: processor.code, name: '车间', kind: 'plant', regionCode: '500236', address }),
  };
  for (const [door, register] of Object.entries(doors)) {
    t.test(door, async (t) => {
      for (const character of INVISIBLE) {
        const reply = await register(`重庆市奉节县永安${character}街道 1 号`);
        expectStatus(t, reply, 400, `a ${door} address with ${hex(character)}`);
        t.match(reply.body.errors, [{ in: 'body', pointer: '/address', detail: hex(character) }], `${hex(character)} at /address, named`);
      }
      for (const address of ORDINARY) expectStatus(t, await register(address), 201, `${door} at ${address}`);
    });
  }
});
