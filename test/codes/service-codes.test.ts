import { z } from 'zod';
import { hasValidMod31Check, MOD31_CHARSET, mod31CheckChar } from '../../src/codes/mod31.js';
import {
  hasServiceCodeShape,
  mistypedCodeCheck,
  newContainerCode,
  newLocationCode,
  newLotCode,
  newPartyCode,
  newProductCode,
  normalizeCode,
  PARTY_KIND_LETTER,
  PARTY_KINDS,
  type PartyKind,
  parsePartyCode,
  plainIdentifier,
  plainIdentifierSchema,
  serviceCodeFilter,
  serviceCodeKind,
  serviceCodeSchema,
} from '../../src/codes/service-codes.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CODE_RE = new RegExp(`^[${MOD31_CHARSET}]+$`);

t.test('party kinds and letters', async (t) => {
  t.same(
    [...PARTY_KINDS],
    ['farm', 'slaughterhouse', 'cutting_plant', 'processor', 'cold_storage', 'distributor', 'retailer', 'logistics', 'lab', 'regulator'],
  );
  t.same(
    PARTY_KINDS.map((k) => PARTY_KIND_LETTER[k]),
    ['Y', 'T', 'F', 'J', 'L', 'P', 'R', 'W', 'C', 'G'],
  );
  const letters = new Set(Object.values(PARTY_KIND_LETTER));
  t.equal(letters.size, 10, 'letters distinct');
  for (const l of letters) t.ok(MOD31_CHARSET.includes(l), `${l} in charset`);
  for (const p of 'AMBH') t.notOk(letters.has(p), `object prefix ${p} not a party letter`);
});

t.test('party codes round-trip for every kind', async (t) => {
  for (const kind of PARTY_KINDS) {
    const code = newPartyCode(kind, '500236');
    t.equal(code.length, 15);
    t.match(code, CODE_RE);
    t.equal(code[0], PARTY_KIND_LETTER[kind]);
    t.equal(code.slice(1, 7), '500236');
    t.ok(hasValidMod31Check(code));
    t.same(parsePartyCode(code), { kind, regionCode: '500236' });
    t.equal(serviceCodeKind(code), 'party');
  }
  t.same(parsePartyCode(newPartyCode('farm', '500103')), { kind: 'farm', regionCode: '500103' });
});

t.test('newPartyCode rejects bad input', async (t) => {
  t.throws(() => newPartyCode('farm', '50023'), RangeError);
  t.throws(() => newPartyCode('farm', '990000'), RangeError);
  t.throws(() => newPartyCode('farm', '509999'), RangeError, 'well-formed but not in GB/T 2260');
  t.throws(() => newPartyCode('farm', '500234'), RangeError, 'retired region');
  t.throws(() => newPartyCode('pirate' as PartyKind, '500236'), RangeError);
  t.throws(() => newPartyCode('toString' as PartyKind, '500236'), RangeError);
});

t.test('parsePartyCode rejects bad shape/check', async (t) => {
  const code = newPartyCode('processor', '500236');
  t.equal(parsePartyCode(code.slice(0, -1)), null, 'too short');
  t.equal(parsePartyCode(`${code}0`), null, 'too long');
  t.equal(parsePartyCode(code.toLowerCase()), null, 'lowercase');
  const badCheck = code.slice(0, -1) + (code[14] === '0' ? '1' : '0');
  t.equal(parsePartyCode(badCheck), null, 'bad check');
  // correct check but unknown kind letter / implausible region
  const unknownKind = 'K500236ABCDEFG';
  t.equal(parsePartyCode(unknownKind + mod31CheckChar(unknownKind)), null, 'unknown kind letter');
  const badRegion = 'Y990000ABCDEFG';
  t.equal(parsePartyCode(badRegion + mod31CheckChar(badRegion)), null, 'implausible region');
  const letterRegion = 'Y5002A6ABCDEFG';
  t.equal(parsePartyCode(letterRegion + mod31CheckChar(letterRegion)), null, 'non-digit region');
  const retiredRegion = 'Y500234ABCDEFG';
  t.same(
    parsePartyCode(retiredRegion + mod31CheckChar(retiredRegion)),
    { kind: 'farm', regionCode: '500234' },
    'a code issued before its region was retired (开县, now 500154) still parses',
  );
  t.equal(parsePartyCode(''), null);
  t.equal(parsePartyCode(undefined as unknown as string), null);
});

t.test('object codes', async (t) => {
  const cases = [
    [newLocationCode, 'location', 'A'],
    [newProductCode, 'product', 'M'],
    [newLotCode, 'lot', 'B'],
    [newContainerCode, 'container', 'H'],
  ] as const;
  for (const [make, kind, prefix] of cases) {
    for (let i = 0; i < 20; i++) {
      const code = make();
      t.equal(code.length, 12);
      t.match(code, CODE_RE);
      t.equal(code[0], prefix);
      t.ok(hasValidMod31Check(code));
      t.equal(serviceCodeKind(code), kind);
      t.equal(parsePartyCode(code), null, 'not a party code');
    }
  }
});

t.test('1,000 lot codes are distinct (random, not sequential)', async (t) => {
  const codes = Array.from({ length: 1000 }, () => newLotCode());
  t.equal(new Set(codes).size, 1000);
  t.ok(codes.every((c) => serviceCodeKind(c) === 'lot'));
  // Sequential ids would share long prefixes; random bodies should not.
  const bodies = new Set(codes.map((c) => c.slice(1, 4)));
  t.ok(bodies.size > 500, `diverse leading body chars (${bodies.size})`);
});

t.test('serviceCodeKind rejects non-codes', async (t) => {
  const lot = newLotCode();
  t.equal(serviceCodeKind(lot.toLowerCase()), null, 'lowercase');
  // one character short a lot code has an item code's length, and 1 in 31 of those carry a valid check
  t.not(serviceCodeKind(lot.slice(0, -1)), 'lot', 'short: not a lot');
  t.equal(serviceCodeKind(`${lot}A`), null, 'long');
  const unknownPrefix = 'X1234567890';
  t.equal(serviceCodeKind(unknownPrefix + mod31CheckChar(unknownPrefix)), null, 'unknown prefix with valid check');
  const partyLetterShort = 'Y1234567890';
  t.equal(serviceCodeKind(partyLetterShort + mod31CheckChar(partyLetterShort)), null, 'party letter at object length');
  t.equal(serviceCodeKind('91350100M000100Y43'), null, 'a USCC is not a service code');
  t.equal(serviceCodeKind(''), null);
  t.equal(serviceCodeKind(42 as unknown as string), null);
});

t.test('a code is shaped as its kind whatever its check character and with any letter typed in its random part', async (t) => {
  const lot = newLotCode();
  const party = newPartyCode('farm', '500236');
  t.ok(hasServiceCodeShape(lot, ['lot']), 'as issued');
  t.ok(hasServiceCodeShape(`${lot.slice(0, -1)}${lot.at(-1) === 'A' ? 'B' : 'A'}`, ['lot']), 'a wrong check character');
  for (const letter of ['I', 'O', 'S', 'V', 'Z']) {
    t.ok(hasServiceCodeShape(`B00000000${letter}0T`, ['lot']), `${letter} in a lot code's random part`);
    t.ok(hasServiceCodeShape(`B0000000000${letter}`, ['lot', 'container']), `${letter} as its check character`);
    t.ok(hasServiceCodeShape(`${party.slice(0, 10)}${letter}${party.slice(11)}`, ['party']), `${letter} in a party code's random part`);
    t.ok(hasServiceCodeShape(`0000000${letter}000`, ['item']), `${letter} in an item code`);
  }
  t.notOk(hasServiceCodeShape(lot, ['product', 'container']), "another kind's code");
  t.notOk(hasServiceCodeShape(`${party.slice(0, 3)}O${party.slice(4)}`, ['party']), "a letter in a party code's region");
  t.notOk(hasServiceCodeShape('B00000000-0T', ['lot']), 'a character no one types in a code');
  t.notOk(hasServiceCodeShape(lot.toLowerCase(), ['lot']), 'lower case: read through serviceCodeSchema first');
  t.notOk(hasServiceCodeShape('NO-SUCH-LOT', ['lot', 'container', 'item']), 'a name');
});

t.test('every single substitution is detected (all positions, all chars)', async (t) => {
  for (const code of [newLotCode(), newPartyCode('farm', '500236')]) {
    const kind = serviceCodeKind(code);
    t.not(kind, null);
    let tried = 0;
    for (let i = 0; i < code.length; i++) {
      for (const c of MOD31_CHARSET) {
        if (c === code[i]) continue;
        const tampered = code.slice(0, i) + c + code.slice(i + 1);
        tried++;
        if (hasValidMod31Check(tampered)) t.fail(`substitution accepted: ${tampered}`);
        if (serviceCodeKind(tampered) !== null) t.fail(`classified tampered ${tampered}`);
      }
    }
    t.equal(tried, code.length * 30, `${code}: ${tried} substitutions rejected`);
  }
});

t.test('every adjacent transposition of different chars is detected', async (t) => {
  for (let n = 0; n < 50; n++) {
    const code = n % 2 === 0 ? newProductCode() : newPartyCode('retailer', '500103');
    for (let i = 0; i < code.length - 1; i++) {
      if (code[i] === code[i + 1]) continue;
      const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
      if (hasValidMod31Check(swapped)) t.fail(`transposition accepted: ${code} -> ${swapped}`);
    }
  }
  // A deterministic code so the test is never vacuous: every adjacent pair differs,
  // including the last body char and the check char (the check effectively has
  // weight 1, so that swap is caught only because 3^10 mod 31 = 25 is not 1).
  const fixed = 'B0123456780';
  const code = fixed + mod31CheckChar(fixed);
  t.equal(serviceCodeKind(code), 'lot');
  let swaps = 0;
  for (let i = 0; i < code.length - 1; i++) {
    t.not(code[i], code[i + 1], `pair ${i} differs`);
    const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
    t.notOk(hasValidMod31Check(swapped), `swap ${i}/${i + 1} detected`);
    swaps++;
  }
  t.equal(swaps, 11);
});

t.test('normalizeCode', async (t) => {
  const lot = newLotCode();
  t.equal(normalizeCode(`  ${lot.toLowerCase()}\n`), lot);
  t.equal(serviceCodeKind(normalizeCode(` ${lot.toLowerCase()} `)), 'lot');
  t.equal(normalizeCode('\tsc11450023600123 '), 'SC11450023600123');
  t.equal(normalizeCode(''), '');
});

t.test('serviceCodeSchema reads a service code in a request as normalizeCode does', async (t) => {
  const party = newPartyCode('farm', '500236');
  for (const typed of [party, ` ${party.toLowerCase()}\n`, '\u3000y500236abc ', ''])
    t.equal(serviceCodeSchema.parse(typed), normalizeCode(typed), typed);
});

t.test('serviceCodeFilter reads a code as serviceCodeSchema does; left out, empty or blank, it filters nothing', async (t) => {
  const lot = newLotCode();
  t.equal(serviceCodeFilter('lot').parse(` ${lot.toLowerCase()}\t`), lot);
  for (const typed of [undefined, '', ' \u3000']) t.equal(serviceCodeFilter('lot').parse(typed), undefined, JSON.stringify(typed));
  const typo = `${lot.slice(0, -1)}${lot.endsWith('A') ? 'B' : 'A'}`;
  t.match(serviceCodeFilter('lot').safeParse(typo.toLowerCase()).error?.issues, [{ message: 'check character wrong — probably a typo' }]);
  t.equal(serviceCodeFilter('product').parse(typo), typo, "another kind's mistyped code is no typo of this one");
});

t.test('mistypedCodeCheck refuses a mistyped code of its kinds, read as a code is read, and leaves a value as typed', async (t) => {
  const identifier = z.string().check(mistypedCodeCheck('lot', 'container'));
  const lot = newLotCode();
  const typo = `${lot.slice(0, -1)}${lot.endsWith('A') ? 'B' : 'A'}`;
  for (const typed of [typo, ` ${typo.toLowerCase()} `]) t.notOk(identifier.safeParse(typed).success, JSON.stringify(typed));
  for (const typed of [lot.toLowerCase(), 'https://id.gs1.org/01/06901234000016/10/lot-a', '069012340000000017', 'NO-SUCH-LOT'])
    t.equal(identifier.parse(typed), typed, typed);
});

t.test('identifiers read full-width ASCII as ASCII, their case kept, and no other compatibility form', async (t) => {
  t.equal(plainIdentifier('ＬＯＴ１－ａ\u3000Ｂ'), 'LOT1-a B', 'full-width letters, digits, signs and the ideographic space');
  t.equal(plainIdentifierSchema.parse('ｈｔｔｐｓ：／／ｉｄ．ｇｓ１．ｏｒｇ／０１'), 'https://id.gs1.org/01');
  for (const distinct of ['LOT²', 'LOT①', 'Ⅸ', '㎏', 'ﬁ', '批次一'])
    t.equal(plainIdentifier(distinct), distinct, `${distinct} kept as written: not the same lot as its NFKC form`);
});
