import { createWorld, expectStatus, randomUscc, registrationBody } from '../fixtures/world.js';
import { client } from '../helper.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('free-text URIs and e-mail addresses have a maximum length, checked at the boundary', async (t) => {
  const world = await createWorld(t);

  t.test('a bizStep or disposition URI longer than 2000 characters is a 400 naming the field', async (t) => {
    const farm = await world.party('farm');
    const pigs = await farm.product('head');
    const lots = [{ productCode: pigs, quantity: 1 }];
    const uri = (length: number) => `urn:example:${'x'.repeat(length - 'urn:example:'.length)}`;
    for (const field of ['bizStep', 'disposition']) {
      const reply = expectStatus(
        t,
        await farm.event({ type: 'commission', lots, [field]: uri(100_000) }),
        400,
        `a 100,000-character ${field}`,
      );
      t.ok(
        reply.body.errors.length > 0 && reply.body.errors.every((error: { pointer: string }) => error.pointer === `/${field}`),
        `the error names /${field}`,
      );
      expectStatus(t, await farm.event({ type: 'commission', lots, [field]: uri(2001) }), 400, `a ${field} of 2001 characters`);
    }
    expectStatus(t, await farm.event({ type: 'commission', lots, bizStep: uri(2000) }), 201, 'a bizStep of 2000 characters');
    expectStatus(t, await farm.event({ type: 'commission', lots, disposition: uri(2000) }), 201, 'a disposition of 2000 characters');
  });

  t.test('a bizStep or disposition URI of more than 2000 bytes in UTF-8 is a 400 naming the field, not a 500', async (t) => {
    const farm = await world.party('farm');
    const lots = [{ productCode: await farm.product('head'), quantity: 1 }];
    // 1,990 CJK characters, 5,976 bytes: past what an index entry of the EPCIS value lists holds,
    // and varied so that PostgreSQL cannot compress the entry under it
    const cjk = Array.from({ length: 1990 }, (_, index) => String.fromCodePoint(0x4e00 + ((index * 7919) % 20000))).join('');
    for (const field of ['bizStep', 'disposition']) {
      const reply = expectStatus(
        t,
        await farm.event({ type: 'commission', lots, [field]: `urn:x:${cjk}` }),
        400,
        `a ${field} of 5,976 bytes`,
      );
      t.same(
        reply.body.errors?.map((error: { pointer: string }) => error.pointer),
        [`/${field}`],
      );
    }
    const short = `urn:x:${cjk.slice(0, 600)}`;
    expectStatus(t, await farm.event({ type: 'commission', lots, bizStep: short }), 201, 'a bizStep of 1,806 bytes');
  });

  t.test('a lot number holding a bidi, invisible or control character is a 400 naming the field and the code point', async (t) => {
    const farm = await world.party('farm');
    const productCode = await farm.product('head');
    for (const [character, codePoint] of [
      ['\u202e', 'U+202E'],
      ['\u200b', 'U+200B'],
      ['\u0007', 'U+0007'],
    ]) {
      const reply = expectStatus(
        t,
        await farm.event({ type: 'commission', lots: [{ productCode, quantity: 1, lotNumber: `FJ${character}2026` }] }),
        400,
        `a lot number holding ${codePoint}`,
      );
      t.match(reply.body.errors, [{ pointer: '/lots/0/lotNumber', detail: new RegExp(codePoint.replace('+', '\\+')) }]);
    }
    expectStatus(
      t,
      await farm.event({ type: 'commission', lots: [{ productCode, quantity: 1, lotNumber: '腊肉2026-01' }] }),
      201,
      'a lot number of Chinese text, letters, digits and a hyphen',
    );
  });

  /** A farm with a product, commissioning a lot of it with attributes and curing a lot with parameters. */
  const namingWorld = async () => {
    const farm = await world.party('farm');
    const productCode = await farm.product('kg');
    return {
      farm,
      commission: (attributes: object) => farm.event({ type: 'commission', lots: [{ productCode, quantity: 2, attributes }] }),
      transform: (lotCode: string, parameters: object) =>
        farm.event({
          type: 'transform',
          inputs: [{ lotCode, quantity: 1 }],
          outputs: [{ productCode, quantity: 1 }],
          process: { kind: 'curing', parameters },
        }),
    };
  };

  t.test(
    "the name of a lot's own attribute or a transformation's parameter holding a bidi, invisible or control character is a 400 naming it",
    async (t) => {
      const { farm, commission, transform } = await namingWorld();
      for (const [character, codePoint] of [
        ['\u202e', 'U+202E'],
        ['\u200b', 'U+200B'],
        ['\u0007', 'U+0007'],
      ]) {
        const reply = expectStatus(t, await commission({ [`${character}breed`]: '长白猪' }), 400, `an attribute named with ${codePoint}`);
        t.match(reply.body.errors, [
          { pointer: `/lots/0/attributes/${character}breed`, detail: new RegExp(`${codePoint.replace('+', '\\+')} at character 1`) },
        ]);
      }
      const lot = (await world.ok(commission({ 品种: '长白猪' }))).createdLotCodes[0];
      t.match((await farm.lot(lot)).attributes, { 品种: '长白猪' }, 'an attribute named in Chinese is kept');
      const reply = expectStatus(t, await transform(lot, { 'salt\u202e%': 3 }), 400, 'a parameter named with U+202E');
      t.match(reply.body.errors, [{ pointer: '/process/parameters/salt\u202e%', detail: /U\+202E at character 5/ }]);
      expectStatus(t, await transform(lot, { '盐 (%)': 3 }), 201, 'a parameter named in Chinese is taken');
    },
  );

  t.test(
    "the name of a lot's own attribute or a transformation's parameter is 1 to 100 characters: an empty, blank or longer one is a 400 naming it",
    async (t) => {
      const { commission, transform } = await namingWorld();
      const long = '品'.repeat(101);
      for (const [name, detail] of [
        ['', /must not be empty/],
        ['  ', /must not be empty/],
        [long, /at most 100 characters/],
      ] as const) {
        const reply = expectStatus(
          t,
          await commission({ [name]: '长白猪' }),
          400,
          `an attribute named ${JSON.stringify(name.slice(0, 3))}… (${name.length})`,
        );
        t.match(reply.body.errors, [{ pointer: `/lots/0/attributes/${name}`, detail }]);
      }
      const lot = (await world.ok(commission({ ['品'.repeat(100)]: '长白猪' }))).createdLotCodes[0];
      t.ok(lot, 'a name of 100 characters is taken');
      // counted in characters, as the OpenAPI document's maxLength counts them, not in UTF-16 units
      await world.ok(commission({ ['𠀀'.repeat(100)]: '长白猪' }));
      for (const [name, detail] of [
        ['', /must not be empty/],
        ['\u3000', /must not be empty/],
        [long, /at most 100 characters/],
      ] as const) {
        const reply = expectStatus(
          t,
          await transform(lot, { [name]: 3 }),
          400,
          `a parameter named ${JSON.stringify(name.slice(0, 3))}… (${name.length})`,
        );
        t.match(reply.body.errors, [{ pointer: `/process/parameters/${name}`, detail }]);
      }
      expectStatus(t, await transform(lot, { ['盐'.repeat(100)]: 3 }), 201, 'a parameter name of 100 characters is taken');
    },
  );

  // RFC 5321: a forward path is at most 256 octets, so an address at most 254 characters
  const email = (length: number) =>
    `${'a'.repeat(64)}@${'b'.repeat(length - 64 - 1 - 4)}.com`.replace(/b{63}/g, (label) => `${label.slice(0, 62)}.`);

  t.test("a party's contact e-mail of more than 254 characters is a 400 naming the field", async (t) => {
    const party = (contactEmail: string) =>
      world.admin.post('/parties', {
        kind: 'farm',
        name: 'a farm',
        uscc: randomUscc(),
        regionCode: '500236',
        contact: { email: contactEmail },
      });
    t.equal(email(305).length, 305);
    for (const length of [305, 255]) {
      const reply = expectStatus(t, await party(email(length)), 400, `an e-mail of ${length} characters`);
      t.same(
        reply.body.errors.map((error: { pointer: string }) => error.pointer),
        ['/contact/email'],
      );
    }
    expectStatus(t, await party(email(254)), 201, 'an e-mail of 254 characters');
  });

  t.test("an application's contact e-mail of more than 254 characters is a 400 naming the field", async (t) => {
    const anonymous = client(world.app);
    const apply = (contactEmail: string) =>
      anonymous.post('/registrations', registrationBody({ contact: { person: '张三', phone: '13800000000', email: contactEmail } }));
    for (const length of [305, 255]) {
      const reply = expectStatus(t, await apply(email(length)), 400, `an e-mail of ${length} characters`);
      t.same(
        reply.body.errors.map((error: { pointer: string }) => error.pointer),
        ['/contact/email'],
      );
    }
    expectStatus(t, await apply(email(254)), 201, 'an e-mail of 254 characters');
  });
});

t.test('the reason of a destruction or a correction is said in words: a blank one is a 400 naming it', async (t) => {
  const world = await createWorld(t);
  const farm = await world.party('farm');
  const lot = await farm.commission(await farm.product('kg'), 10);
  const blank = expectStatus(
    t,
    await farm.event({ type: 'destroy', reason: ' \t ', lines: [{ lotCode: lot, quantity: 1 }] }),
    400,
    'a destruction for a blank reason',
  );
  t.equal(blank.body.errors[0].pointer, '/reason');
  const destroyed = expectStatus(
    t,
    await farm.event({ type: 'destroy', reason: '  spoiled  ', lines: [{ lotCode: lot, quantity: 1 }] }),
    201,
    'one with a reason',
  );
  t.equal(destroyed.body.event.details.reason, 'spoiled', 'kept without the spaces around it');
  const correction = expectStatus(
    t,
    await farm.event({ type: 'correction', correctsEventId: destroyed.body.event.id, reason: '   ' }),
    400,
    'a correction for a blank reason',
  );
  t.equal(correction.body.errors[0].pointer, '/reason');
  t.match((await farm.lot(lot)).massBalance, { destroyed: 1 }, 'and nothing was corrected');
});
