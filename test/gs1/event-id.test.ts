// EPCIS eventIDs are compared as their standards compare them: a urn:uuid in any case (RFC 8141,
// RFC 9562), a CBV event hash (an RFC 6920 ni URI) in its scheme and algorithm only.

import { canonicalEventId, eventIdOfKey, eventIdsToLookUp, partyEventKey, partyEventKeys, storedEventIds } from '../../src/gs1/event-id.js';
import { fileTest } from '../root.js';

const t = fileTest();

const UUID = '6c1f1f52-0f0e-4d1e-9c55-3f0d7a2b9e01';
const HASH = 'ni:///sha-256;df7bb3c352fef055578554f09f5e2aa41782150ced7bd0b8af24dd3ccb30ba69?ver=CBV2.0';

t.test('a urn:uuid is read in lower case throughout', async (t) => {
  for (const written of [`urn:uuid:${UUID}`, `URN:UUID:${UUID}`, `urn:uuid:${UUID.toUpperCase()}`, `Urn:Uuid:${UUID.toUpperCase()}`]) {
    t.equal(canonicalEventId(written), `urn:uuid:${UUID}`, written);
  }
  t.equal(canonicalEventId('urn:uuid:not-a-uuid'), 'urn:uuid:not-a-uuid', 'anything else after urn:uuid: is kept as written');
});

t.test('an ni URI has its scheme and hash algorithm read in lower case, its value and query as written', async (t) => {
  t.equal(canonicalEventId(HASH), HASH);
  t.equal(canonicalEventId(HASH.replace('ni:///sha-256', 'NI:///SHA-256')), HASH);
  const base64url = 'ni:///sha-256;f4OxZX_x_FO5LcGBSKHWXfwtSx-j1ncoSt3SABJtkGk';
  t.equal(canonicalEventId(base64url.replace('ni:', 'Ni:')), base64url, 'a base64url value keeps its case');
  const upperValue = HASH.replace(/;([0-9a-f]+)/, (_, value: string) => `;${value.toUpperCase()}`);
  t.equal(canonicalEventId(upperValue), upperValue, 'a value in upper case is another id');
  t.equal(canonicalEventId(`${HASH.slice(0, -6)}cbv2.0`), `${HASH.slice(0, -6)}cbv2.0`, 'the query as written');
});

t.test('other eventIDs are kept as written', async (t) => {
  for (const id of ['urn:epc:id:sgtin:0614141.812345.6789', 'https://example.com/Events/1', 'urn:example:EVENT:1']) {
    t.equal(canonicalEventId(id), id);
  }
});

t.test('an event is looked up by its id as written first, then by the other forms it may be stored under', async (t) => {
  // two events may be stored under two forms of one urn:uuid (captured before eventIDs were stored
  // canonical): the one named exactly is found before the other
  t.same(storedEventIds(`urn:uuid:${UUID}`), [`urn:uuid:${UUID}`, `urn:uuid:${UUID.toUpperCase()}`]);
  t.same(storedEventIds(`urn:uuid:${UUID.toUpperCase()}`), [`urn:uuid:${UUID.toUpperCase()}`, `urn:uuid:${UUID}`]);
  t.same(storedEventIds(`URN:UUID:${UUID}`), [`URN:UUID:${UUID}`, `urn:uuid:${UUID}`, `urn:uuid:${UUID.toUpperCase()}`]);
  t.same(storedEventIds(HASH), [HASH]);
  t.same(
    eventIdsToLookUp(`urn:uuid:${UUID.toUpperCase()}`),
    [`urn:uuid:${UUID.toUpperCase()}`, `urn:uuid:${UUID}`, UUID],
    "and a native event's bare UUID",
  );
  t.same(eventIdsToLookUp(HASH), [HASH]);
});

t.test('an event whose eventID another party held first is kept under its party’s key', async (t) => {
  const upper = `urn:uuid:${UUID.toUpperCase()}`;
  t.equal(partyEventKey(upper, 'P1'), `urn:uuid:${UUID}|P1`, 'the canonical eventID and the party');
  t.same(partyEventKeys(HASH, 'P1'), [HASH, `${HASH}|P1`], 'looked up after the eventID’s own forms');
  t.equal(partyEventKeys(upper, 'P1').at(-1), `urn:uuid:${UUID}|P1`);
  t.equal(eventIdOfKey(`urn:uuid:${UUID}|P1`), `urn:uuid:${UUID}`, 'the eventID it was captured as');
  t.equal(eventIdOfKey(`${HASH}|P1#error`), `${HASH}#error`, 'and its declaration’s');
  t.equal(eventIdOfKey(HASH), HASH, 'an eventID kept as the key is itself');
});
