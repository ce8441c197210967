import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type ValidationResult, validateCaptureDocument, validateCaptureEvent } from '../../src/epcis/validation/index.js';
import { OPENEPCIS_REJECTED } from '../fixtures/openepcis-rejected.js';
import { fileTest } from '../root.js';

const t = fileTest();

const CORPUS = fileURLToPath(new URL('../fixtures/conformance/epcis/', import.meta.url));

function files(folder: string): string[] {
  return readdirSync(CORPUS + folder, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json') || f.endsWith('.jsonld'))
    .sort();
}

function load(folder: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${CORPUS}${folder}/${file}`, 'utf8'));
}

function describe(result: ValidationResult): string {
  return result.ok ? 'accepted' : result.errors.map((e) => `${e.pointer}: ${e.message}`).join('\n');
}

t.test('GS1 examples are accepted', async (t) => {
  const examples = files('gs1-examples');
  t.equal(examples.length, 47, 'all GS1 examples found');
  for (const file of examples) {
    const doc = load('gs1-examples', file);
    const result = await validateCaptureDocument(doc);
    if (doc.type === 'EPCISQueryDocument') {
      // A query result, not something to capture: it must be refused, on its type.
      t.ok(!result.ok && result.errors.some((e) => e.pointer === '/type'), `${file} is not a capture document`);
    } else {
      t.ok(result.ok, result.ok ? file : `${file}\n${describe(result)}`);
    }
  }
});

t.test('OpenEPCIS valid documents are accepted, but for those whose GRAI is malformed', async (t) => {
  const documents = files('openepcis/valid-documents');
  t.equal(documents.length, 38, 'all valid documents found');
  for (const file of documents) {
    const result = await validateCaptureDocument(load('openepcis/valid-documents', file));
    if (Object.hasOwn(OPENEPCIS_REJECTED, file)) t.same(result, { ok: false, errors: [OPENEPCIS_REJECTED[file]] }, `${file} is rejected`);
    else t.ok(result.ok, result.ok ? file : `${file}\n${describe(result)}`);
  }
  const corrected = files('openepcis/corrected');
  t.same(corrected, Object.keys(OPENEPCIS_REJECTED).sort(), 'each rejected document has a corrected copy');
  for (const file of corrected) {
    const result = await validateCaptureDocument(load('openepcis/corrected', file));
    t.ok(result.ok, result.ok ? `${file}, corrected` : `${file}, corrected\n${describe(result)}`);
  }
});

t.test('OpenEPCIS valid single events are accepted', async (t) => {
  const events = files('openepcis/valid-single-events');
  t.equal(events.length, 5, 'all single events found');
  for (const file of events) {
    const result = validateCaptureEvent(load('openepcis/valid-single-events', file));
    t.ok(result.ok, result.ok ? file : `${file}\n${describe(result)}`);
  }
});

// What each invalid document's errors must mention.
const INVALID: Record<string, string[]> = {
  'Combination_of_events_with_missing_mandatory_fields.json': ['action', 'eventTimeZoneOffset'],
  'Combination_of_multiple_invalid_fields.json': ['bizStep', 'disposition', 'sourceList[0].type', 'ilmd', 'action', 'eventTime'],
  'Combination_of_non_standard_bizStep_and_disposition.json': ['bizStep', 'disposition'],
  'EPCISDocument_without_context.json': ['@context'],
  'ObjectEvent_with_ilmd_field_without_namespace.json': ['ilmd field "materialType"'],
  'ObjectEvent_with_invalid_action.json': ['action'],
  'ObjectEvent_with_invalid_certificationInfo.json': ['certificationInfo'],
  'ObjectEvent_with_invalid_eventTime_format.json': ['eventTime'],
  'ObjectEvent_with_non_standard_bizStep.json': ['bizStep "transforming"'],
  'ObjectEvent_with_non_standard_bizStep_in_second_event.json': ['bizStep'],
  'ObjectEvent_with_non_standard_disposition.json': ['disposition "in_transport"'],
  'ObjectEvent_with_quantity_as_text.json': ['quantity'],
  'ObjectEvent_with_unknown_field_in_quantityList.json': ['"weight"'],
  'ObjectEvent_without_action_and_eventTime.json': ['action', 'eventTime'],
  'ObjectEvent_without_identifier_list.json': ['epcList'],
};

t.test('OpenEPCIS invalid documents are rejected, saying why', async (t) => {
  const documents = files('openepcis/invalid');
  t.same(documents, Object.keys(INVALID).sort(), 'every invalid document has an expectation');
  for (const file of documents) {
    const result = await validateCaptureDocument(load('openepcis/invalid', file));
    if (!result.ok) {
      for (const word of INVALID[file]) {
        t.ok(
          result.errors.some((e) => e.message.includes(word)),
          `${file} mentions ${word}`,
          { errors: describe(result) },
        );
      }
    } else {
      t.fail(`${file} is rejected`);
    }
  }
  const second = await validateCaptureDocument(load('openepcis/invalid', 'ObjectEvent_with_non_standard_bizStep_in_second_event.json'));
  t.same(second.ok ? [] : second.errors.map((e) => e.pointer), ['/epcisBody/eventList/1/bizStep'], 'pointer names the second event');
});

const CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';
const event = {
  type: 'ObjectEvent',
  eventTime: '2024-03-01T08:00:00.000+01:00',
  eventTimeZoneOffset: '+01:00',
  action: 'OBSERVE',
  epcList: ['https://id.gs1.org/01/09521141012345/21/1'],
  bizStep: 'shipping',
};

function documentOf(...events: unknown[]): Record<string, unknown> {
  return {
    '@context': CONTEXT,
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: '2024-03-01T08:00:00Z',
    epcisBody: { eventList: events },
  };
}

function errorsOf(result: ValidationResult): { pointer: string; message: string }[] {
  return result.ok ? [] : result.errors;
}

t.test('business steps and dispositions', async (t) => {
  for (const bizStep of [
    'shipping',
    'https://ref.gs1.org/cbv/BizStep-shipping',
    'cbv:BizStep-shipping',
    'urn:epcglobal:cbv:bizstep:shipping',
    'https://example.com/steps/cooking',
  ]) {
    t.ok(validateCaptureEvent({ ...event, bizStep }).ok, `bizStep ${bizStep} is accepted`);
  }
  t.same(errorsOf(validateCaptureEvent({ ...event, bizStep: 'cooking' })), [
    { pointer: '/bizStep', message: 'bizStep "cooking" is not a CBV 2.0 business step or a URI' },
  ]);
  t.same(
    errorsOf(validateCaptureEvent({ ...event, bizStep: 'urn:epcglobal:cbv:bizstep:cooking' })),
    [{ pointer: '/bizStep', message: 'bizStep "urn:epcglobal:cbv:bizstep:cooking" is not a CBV 2.0 business step' }],
    'unknown term in the CBV namespace',
  );
  t.same(
    errorsOf(validateCaptureEvent({ ...event, disposition: 'https://ref.gs1.org/cbv/BizStep-shipping' })),
    [{ pointer: '/disposition', message: 'disposition "https://ref.gs1.org/cbv/BizStep-shipping" is not a CBV 2.0 disposition' }],
    'a business step is not a disposition',
  );
  t.ok(validateCaptureEvent({ ...event, disposition: 'urn:epcglobal:cbv:disp:in_transit' }).ok, 'disposition URN');
  t.same(errorsOf(validateCaptureEvent({ ...event, bizStep: 5 })), [{ pointer: '/bizStep', message: 'bizStep must be a string, got 5' }]);
  t.same(errorsOf(validateCaptureEvent({ ...event, persistentDisposition: { set: ['completeness_verified'], unset: ['cooked'] } })), [
    { pointer: '/persistentDisposition/unset/0', message: 'persistentDisposition.unset[0] "cooked" is not a CBV 2.0 disposition or a URI' },
  ]);
});

t.test('vocabulary URIs are at most 2000 characters, as the native API takes them', async (t) => {
  const uri = (length: number) => `urn:example:${'x'.repeat(length - 'urn:example:'.length)}`;
  /** The event with `value` in every vocabulary field, and the pointer of each. */
  const everywhere = (value: string) => ({
    event: {
      ...event,
      bizStep: value,
      disposition: value,
      persistentDisposition: { set: [value], unset: ['completeness_verified'] },
      bizTransactionList: [{ type: value, bizTransaction: 'urn:example:po:1' }],
      sourceList: [{ type: value, source: 'urn:example:party:a' }],
      destinationList: [{ type: value, destination: 'urn:example:party:b' }],
      sensorElementList: [
        { sensorReport: [{ type: value, value: 3 }, { exception: value }, { type: 'Temperature', component: value, value: 1 }] },
      ],
      errorDeclaration: { declarationTime: '2024-03-02T00:00:00Z', reason: value },
    },
    pointers: [
      '/bizStep',
      '/bizTransactionList/0/type',
      '/destinationList/0/type',
      '/disposition',
      '/errorDeclaration/reason',
      '/persistentDisposition/set/0',
      '/sensorElementList/0/sensorReport/0/type',
      '/sensorElementList/0/sensorReport/1/exception',
      '/sensorElementList/0/sensorReport/2/component',
      '/sourceList/0/type',
    ],
  });
  t.ok(validateCaptureEvent(everywhere(uri(2000)).event).ok, '2000 characters are accepted in every vocabulary field');
  for (const length of [2001, 100_000]) {
    const { event: long, pointers } = everywhere(uri(length));
    const errors = errorsOf(validateCaptureEvent(long));
    t.same(
      errors.map((error) => error.pointer),
      pointers,
      `${length} characters: an error at every vocabulary field`,
    );
    t.ok(
      errors.every((error) => error.message.endsWith(`must be at most 2000 characters, not ${length}`)),
      'each says how long it may be, and is',
    );
    t.ok(
      errors.every((error) => error.message.length < 200),
      'without quoting the value',
    );
    const inDocument = errorsOf(await validateCaptureDocument(documentOf(event, long)));
    t.same(
      inDocument.map((error) => error.pointer),
      pointers.map((pointer) => `/epcisBody/eventList/1${pointer}`),
      `${length} characters in a document: named by the event's pointer`,
    );
  }
  t.same(
    errorsOf(validateCaptureEvent({ ...event, bizStep: `cbv:BizStep-${'x'.repeat(3000)}` })).length,
    1,
    'a CBV term too long is one error',
  );
  // counted as the native API counts (zod: UTF-16 units), so one URI is not too long there and fine here
  t.same(errorsOf(validateCaptureEvent({ ...event, bizStep: `urn:example:${'😀'.repeat(995)}` })), [
    { pointer: '/bizStep', message: 'bizStep must be at most 2000 characters, not 2002' },
  ]);
});

t.test('every other URI an event names is at most 2000 characters too, its length told without quoting it', async (t) => {
  const uri = (length: number) => `urn:example:${'x'.repeat(length - 'urn:example:'.length)}`;
  const base = { eventTime: '2024-03-01T08:00:00.000+01:00', eventTimeZoneOffset: '+01:00' };
  /** Events of every type with `value` in every URI field, and the pointer of each. */
  const everywhere = (value: string) => {
    const device = { deviceID: value, deviceMetadata: value, rawData: value, dataProcessingMethod: value, bizRules: value };
    return [
      {
        event: {
          type: 'ObjectEvent',
          ...base,
          action: 'OBSERVE',
          eventID: value,
          certificationInfo: value,
          epcList: [value],
          quantityList: [{ epcClass: value, quantity: 1, uom: 'KGM' }],
          readPoint: { id: value },
          bizLocation: { id: value },
          bizTransactionList: [{ type: 'po', bizTransaction: value }],
          sourceList: [{ type: 'owning_party', source: value }],
          destinationList: [{ type: 'owning_party', destination: value }],
          sensorElementList: [
            {
              sensorMetadata: device,
              sensorReport: [
                {
                  type: 'Temperature',
                  value: 1,
                  ...device,
                  microorganism: value,
                  chemicalSubstance: value,
                  coordinateReferenceSystem: value,
                  uriValue: value,
                },
              ],
            },
          ],
          errorDeclaration: { declarationTime: '2024-03-02T00:00:00Z', correctiveEventIDs: [value] },
        },
        pointers: [
          '/bizLocation/id',
          '/bizTransactionList/0/bizTransaction',
          '/certificationInfo',
          '/destinationList/0/destination',
          '/epcList/0',
          '/errorDeclaration/correctiveEventIDs/0',
          '/eventID',
          '/quantityList/0/epcClass',
          '/readPoint/id',
          ...['bizRules', 'dataProcessingMethod', 'deviceID', 'deviceMetadata', 'rawData'].map(
            (field) => `/sensorElementList/0/sensorMetadata/${field}`,
          ),
          ...[
            'bizRules',
            'chemicalSubstance',
            'coordinateReferenceSystem',
            'dataProcessingMethod',
            'deviceID',
            'deviceMetadata',
            'microorganism',
            'rawData',
            'uriValue',
          ].map((field) => `/sensorElementList/0/sensorReport/0/${field}`),
          '/sourceList/0/source',
        ],
      },
      {
        event: { type: 'ObjectEvent', ...base, action: 'OBSERVE', epcList: ['urn:example:a'], certificationInfo: [value] },
        pointers: ['/certificationInfo/0'],
      },
      {
        event: {
          type: 'AggregationEvent',
          ...base,
          action: 'ADD',
          parentID: value,
          childEPCs: [value],
          childQuantityList: [{ epcClass: value }],
        },
        pointers: ['/childEPCs/0', '/childQuantityList/0/epcClass', '/parentID'],
      },
      {
        event: { type: 'AssociationEvent', ...base, action: 'ADD', parentID: value, childEPCs: [value] },
        pointers: ['/childEPCs/0', '/parentID'],
      },
      {
        event: {
          type: 'TransactionEvent',
          ...base,
          action: 'ADD',
          parentID: value,
          epcList: [value],
          bizTransactionList: [{ type: 'po', bizTransaction: 'urn:example:po:1' }],
        },
        pointers: ['/epcList/0', '/parentID'],
      },
      {
        event: {
          type: 'TransformationEvent',
          ...base,
          transformationID: value,
          inputEPCList: [value],
          outputEPCList: [value],
          inputQuantityList: [{ epcClass: value }],
          outputQuantityList: [{ epcClass: value }],
        },
        pointers: [
          '/inputEPCList/0',
          '/inputQuantityList/0/epcClass',
          '/outputEPCList/0',
          '/outputQuantityList/0/epcClass',
          '/transformationID',
        ],
      },
      { event: { type: value, ...base }, pointers: ['/type'] },
    ];
  };
  for (const { event: atLimit } of everywhere(uri(2000))) {
    t.ok(validateCaptureEvent(atLimit).ok, `${String(atLimit.type).slice(0, 20)}: 2000 characters are accepted in every URI field`);
  }
  for (const length of [2001, 100_000]) {
    for (const { event: long, pointers } of everywhere(uri(length))) {
      const what = `${String(long.type).slice(0, 20)}, ${length} characters`;
      const errors = errorsOf(validateCaptureEvent(long));
      t.same(
        errors.map((error) => error.pointer),
        pointers,
        `${what}: an error at every URI field`,
      );
      t.ok(
        errors.every((error) => error.message.endsWith(`must be at most 2000 characters, not ${length}`) && error.message.length < 200),
        `${what}: each says how long it may be, and is, without quoting it`,
      );
    }
  }
  const [{ event: objectEvent, pointers }] = everywhere(uri(2001));
  t.same(
    errorsOf(await validateCaptureDocument(documentOf(event, objectEvent))).map((error) => error.pointer),
    pointers.map((pointer) => `/epcisBody/eventList/1${pointer}`),
    "in a document: named by the event's pointer",
  );
  // a GS1 identifier or tag value too long is told its length, not what is wrong with its content
  for (const value of [
    `https://id.gs1.org/01/09521141012340/21/${'x'.repeat(3000)}`,
    `urn:epc:id:sgtin:${'1'.repeat(3000)}`,
    `urn:epc:tag:sgtin-96:${'x'.repeat(3000)}`,
  ]) {
    t.same(errorsOf(validateCaptureEvent({ ...event, epcList: [value] })), [
      { pointer: '/epcList/0', message: `epcList[0] must be at most 2000 characters, not ${value.length}` },
    ]);
  }
});

t.test('a value quoted in an error message is cut to 100 whole characters', async (t) => {
  const step = `cbv:BizStep-${'😀'.repeat(900)}`;
  const [cbv] = errorsOf(validateCaptureEvent({ ...event, bizStep: step }));
  t.equal(cbv.pointer, '/bizStep');
  t.match(cbv.message, /^bizStep "cbv:BizStep-(😀)+…" is not a CBV 2\.0 business step$/, 'a CBV term');
  t.equal([...new Intl.Segmenter().segment(/"(.*)"/.exec(cbv.message)![1])].length, 100, 'as 100 characters, the last an ellipsis');
  t.equal(
    errorsOf(validateCaptureEvent({ ...event, disposition: `https://ref.gs1.org/cbv/Disp-${'x'.repeat(1500)}` }))[0].message,
    `disposition "https://ref.gs1.org/cbv/Disp-${'x'.repeat(70)}…" is not a CBV 2.0 disposition`,
  );
  const [link] = errorsOf(validateCaptureEvent({ ...event, epcList: [`https://id.gs1.org/01/09521141012340/21/${'7'.repeat(1500)}`] }));
  t.ok(link.message.startsWith(`https://id.gs1.org/01/09521141012340/21/${'7'.repeat(59)}… is a GS1 Digital Link`), 'a GS1 identifier');
  const [field] = errorsOf(validateCaptureEvent({ ...event, ['y'.repeat(1500)]: 1 }));
  t.ok(field.message.length < 400, 'an unknown field name');
  const [action] = errorsOf(validateCaptureEvent({ ...event, action: 'z'.repeat(1500) }));
  t.equal(action.message, `action must be one of OBSERVE, ADD, DELETE, got "${'z'.repeat(98)}…`, 'a value of the wrong form');
});

t.test('times', async (t) => {
  for (const eventTime of [
    '2024-03-01 08:00:00+01:00',
    '2024-03-01T08:00:00',
    '2024-02-30T08:00:00Z',
    '2024-03-01T08:00:00+15:00',
    '2024-03-01T24:00:00Z',
  ]) {
    t.same(
      errorsOf(validateCaptureEvent({ ...event, eventTime })).map((e) => e.pointer),
      ['/eventTime'],
      `eventTime ${eventTime} is rejected`,
    );
  }
  t.ok(
    validateCaptureEvent({ ...event, eventTime: '2024-02-29T23:59:59.123456-05:30', recordTime: '2024-03-01T00:00:00Z' }).ok,
    'leap day, fraction, offset',
  );
  t.match(errorsOf(validateCaptureEvent({ ...event, eventTimeZoneOffset: '+1' })), [
    { pointer: '/eventTimeZoneOffset', message: /time zone offset such as \+02:00/ },
  ]);
});

t.test('event structure', async (t) => {
  t.ok(validateCaptureEvent(event).ok, 'an event without @context');
  t.ok(
    validateCaptureEvent({ '@context': [CONTEXT, { ex: 'https://ns.example.com/' }], ...event, 'ex:temperature': 4 }).ok,
    'own @context and an extension field',
  );
  t.ok(validateCaptureEvent({ ...event, type: 'https://ns.example.com/ScanEvent' }).ok, 'extension event type');
  const { type: _type, ...untyped } = event;
  t.same(
    errorsOf(validateCaptureEvent(untyped)).map((e) => e.pointer),
    ['/type'],
    'missing type is the only error reported',
  );
  t.same(errorsOf(validateCaptureEvent({ ...event, colour: 'red' })), [
    {
      pointer: '/colour',
      message: 'event has unknown field "colour"; user extension fields must be namespaced (e.g. "ex:colour") or full URIs',
    },
  ]);
  // a name is a URI, which is ASCII: the hint is one that passes, the Chinese part percent-encoded
  t.same(errorsOf(validateCaptureEvent({ ...event, 'example:备注': 'x' })), [
    {
      pointer: '/example:备注',
      message:
        'event has unknown field "example:备注"; user extension fields must be namespaced (e.g. "ex:remark") or full URIs, written in ASCII: percent-encode other characters (e.g. "example:%E5%A4%87%E6%B3%A8")',
    },
  ]);
  t.ok(validateCaptureEvent({ ...event, 'example:%E5%A4%87%E6%B3%A8': 'x' }).ok, 'the name the hint gives is taken');
  t.match(errorsOf(validateCaptureEvent({ ...event, 备注: 'x' })), [{ message: /\(e\.g\. "ex:%E5%A4%87%E6%B3%A8"\)$/ }]);
  t.ok(validateCaptureEvent({ ...event, 'ex:%E5%A4%87%E6%B3%A8': 'x' }).ok, 'and for a name without a prefix');
  t.match(errorsOf(validateCaptureEvent({ ...event, action: 'ADD', ilmd: { 备注: 'x' } })), [
    { message: /^ilmd field "备注" is not namespaced; .*percent-encode other characters \(e\.g\. "ex:%E5%A4%87%E6%B3%A8"\)$/ },
  ]);
  t.same(errorsOf(validateCaptureEvent({ ...event, ilmd: { 'ex:lot': 'A1' } })), [
    { pointer: '/ilmd', message: 'ilmd is only allowed when action is ADD, not OBSERVE' },
  ]);
  t.ok(validateCaptureEvent({ ...event, action: 'ADD', ilmd: { 'ex:lot': 'A1' } }).ok, 'ilmd with ADD');
  // the dates a lot takes from its ilmd are a native lot's dates: calendar days in the years the database stores
  const dated = (ilmd: object) => errorsOf(validateCaptureEvent({ ...event, action: 'ADD', ilmd }));
  t.same(dated({ 'cbvmda:productionDate': '2026-03-01', 'cbvmda:itemExpirationDate': '2026-09-01', 'ex:date': '1 March' }), []);
  t.same(dated({ 'cbvmda:productionDate': '2026-3-1', 'cbvmda:bestBeforeDate': '1899-12-31', 'cbvmda:itemExpirationDate': null }), [
    { pointer: '/ilmd/cbvmda:bestBeforeDate', message: 'cbvmda:bestBeforeDate must lie in the years 1900–9999' },
    { pointer: '/ilmd/cbvmda:itemExpirationDate', message: 'cbvmda:itemExpirationDate must be a calendar date YYYY-MM-DD' },
    { pointer: '/ilmd/cbvmda:productionDate', message: 'cbvmda:productionDate must be a calendar date YYYY-MM-DD' },
  ]);
  const { epcList: _epcs, ...noIds } = event;
  t.match(
    errorsOf(
      validateCaptureEvent({ ...noIds, quantityList: [{ epcClass: 'https://id.gs1.org/01/09521141012345', quantity: 'ten', uom: 'kg' }] }),
    ),
    [
      { pointer: '/quantityList/0/quantity', message: 'quantityList[0].quantity must be a number, got "ten"' },
      { pointer: '/quantityList/0/uom', message: /unit code/ },
    ],
  );
  for (const quantity of [1e-300, 5e-324])
    t.match(
      errorsOf(
        validateCaptureEvent({ ...noIds, quantityList: [{ epcClass: 'https://id.gs1.org/01/09521141012345', quantity, uom: 'KGM' }] }),
      ),
      [{ pointer: '/quantityList/0/quantity', message: /more than 3 decimals/ }],
      `quantity ${quantity} would be booked as 0`,
    );
  t.same(
    errorsOf(validateCaptureEvent({ ...noIds, type: 'AggregationEvent', action: 'ADD', parentID: 'urn:epc:id:sscc:0614141.1234567890' })),
    [{ pointer: '', message: 'AggregationEvent must include childEPCs or childQuantityList' }],
  );
  const aggregation = { ...noIds, type: 'AggregationEvent', action: 'ADD', parentID: 'urn:epc:id:sscc:0614141.1234567890' };
  t.same(
    errorsOf(validateCaptureEvent({ ...aggregation, childEPCs: [] })),
    [
      {
        pointer: '',
        message:
          'AggregationEvent matches none of its allowed forms: childEPCs must have at least 1 item(s); or action must be "DELETE", got "ADD"',
      },
    ],
    'an empty child list is allowed only when deleting',
  );
  t.same(
    errorsOf(
      validateCaptureEvent({
        ...aggregation,
        childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.998877', quantity: '5' }],
      }),
    ),
    [{ pointer: '/childQuantityList/0/quantity', message: 'childQuantityList[0].quantity must be a number, got "5"' }],
    'a bad child quantity is not reported as missing children',
  );
  t.same(
    errorsOf(
      validateCaptureEvent({ ...aggregation, childEPCs: ['urn:epc:id:sgtin:0614141.107346.1'], persistentDisposition: { set: [] } }),
    ),
    [{ pointer: '/persistentDisposition/set', message: 'persistentDisposition.set must have at least 1 item(s)' }],
  );
  t.same(
    errorsOf(
      validateCaptureEvent({
        type: 'TransformationEvent',
        eventTime: event.eventTime,
        eventTimeZoneOffset: '+01:00',
        inputEPCList: ['urn:epc:id:sgtin:0614141.107346.1'],
      }),
    ),
    [{ pointer: '', message: 'TransformationEvent must include outputEPCList or outputQuantityList or transformationID' }],
  );
  t.same(errorsOf(validateCaptureEvent({ ...event, epcList: ['urn:x:1', 'urn:x:1'] })), [
    { pointer: '/epcList', message: 'epcList has duplicate items (0 and 1)' },
  ]);
  const long = Array.from({ length: 10_000 }, (_, i) => `urn:x:${i}`);
  t.same(
    errorsOf(validateCaptureEvent({ ...event, epcList: [...long.slice(1), 'urn:x:3'] })),
    [{ pointer: '/epcList', message: 'epcList has duplicate items (2 and 9999)' }],
    'a repeat in a 10,000-EPC list is found (by hash, not by comparing every pair)',
  );
  t.same(
    errorsOf(validateCaptureEvent({ ...event, epcList: [...long, 'urn:x:10000'] })),
    [{ pointer: '/epcList', message: 'epcList takes this event over 10000 EPCs: at most 10000 EPCs per event' }],
    'one more is refused for its length alone',
  );
  t.ok(validateCaptureEvent({ ...event, epcList: long }).ok, 'and 10,000 different EPCs pass');
  t.same(errorsOf(validateCaptureEvent({ ...event, certificationInfo: 'not a uri' })), [
    { pointer: '/certificationInfo', message: 'certificationInfo must be an absolute URI, got "not a uri"' },
  ]);
  t.same(errorsOf(validateCaptureEvent({ ...event, certificationInfo: ['not a uri'] })), [
    { pointer: '/certificationInfo/0', message: 'certificationInfo[0] must be an absolute URI, got "not a uri"' },
  ]);
  t.same(errorsOf(validateCaptureEvent({ ...event, sensorElementList: [{ sensorReport: [{ value: 3 }] }] })), [
    { pointer: '/sensorElementList/0/sensorReport/0', message: 'sensorElementList[0].sensorReport[0] must include type or exception' },
  ]);
  t.same(errorsOf(validateCaptureEvent('ObjectEvent')), [{ pointer: '', message: 'event must be an object, got "ObjectEvent"' }]);
  t.same(errorsOf(validateCaptureEvent(documentOf(event))), [
    { pointer: '/type', message: 'expected a single event, got an EPCISDocument' },
  ]);
});

t.test('documents', async (t) => {
  t.ok((await validateCaptureDocument(documentOf(event, { ...event, action: 'ADD' }))).ok, 'a small document');
  t.same(errorsOf(await validateCaptureDocument(null)), [{ pointer: '', message: 'document must be an object, got null' }]);
  t.same(errorsOf(await validateCaptureDocument({ ...documentOf(event), '@context': 5 })), [
    { pointer: '/@context', message: '@context must be a string or an object or an array, got 5' },
  ]);
  t.same(
    errorsOf(await validateCaptureDocument(documentOf(event, 7, { ...event, bizStep: 'frying' }))),
    [
      { pointer: '/epcisBody/eventList/1', message: 'event must be an object, got 7' },
      { pointer: '/epcisBody/eventList/2/bizStep', message: 'bizStep "frying" is not a CBV 2.0 business step or a URI' },
    ],
    'errors come in document order, pointing into the event list',
  );
  t.same(errorsOf(await validateCaptureDocument({ ...documentOf(event), sender: 'x', extra: true })), [
    {
      pointer: '/extra',
      message: 'document has unknown field "extra"; user extension fields must be namespaced (e.g. "ex:extra") or full URIs',
    },
  ]);
});

t.test('EPC URNs of GS1 schemes must be well-formed; other URIs stay opaque', async (t) => {
  const event = (fields: object) => ({
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    type: 'ObjectEvent',
    eventTime: '2026-03-01T08:00:00+08:00',
    eventTimeZoneOffset: '+08:00',
    action: 'OBSERVE',
    ...fields,
  });
  const pointers = (fields: object) => {
    const result = validateCaptureEvent(event(fields));
    return result.ok ? [] : result.errors.map((e) => e.pointer);
  };
  t.same(pointers({ epcList: ['urn:epc:id:sscc:08600031303.0005'] }), ['/epcList/0'], 'an SSCC short of 18 digits');
  t.same(pointers({ epcList: ['urn:epc:id:sgtin:0614141.812345.6789'] }), [], 'a well-formed SGTIN');
  t.same(pointers({ epcList: ['urn:epc:id:sgtin:0614141.81234.6789'] }), ['/epcList/0'], 'an SGTIN one digit short');
  t.same(
    pointers({ quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.01234.ABC', quantity: 1 }] }),
    ['/quantityList/0/epcClass'],
    'an LGTIN of the wrong length',
  );
  t.same(pointers({ epcList: ['urn:epc:id:sgtin:0614141.812345.6789'], readPoint: { id: 'urn:epc:id:sgln:0614141.0000.0' } }), [
    '/readPoint/id',
  ]);
  t.same(pointers({ epcList: ['urn:epc:id:usdod:2S194.12345678901', 'urn:example:pallet:7'] }), [], 'schemes without a GS1 key');
});

t.test('a malformed GS1 key is refused wherever the event names it, naming the field', async (t) => {
  const SSCC_17 = 'https://id.gs1.org/00/10614141234567890';
  const problems = (candidate: unknown) => errorsOf(validateCaptureEvent(candidate)).map(({ pointer, message }) => ({ pointer, message }));
  t.same(
    problems({
      ...event,
      bizTransactionList: [
        { type: 'po', bizTransaction: 'http://transaction.acme.com/po/12345678' },
        { type: 'desadv', bizTransaction: 'https://id.gs1.org/253/123123123123' },
        // a report's own URL whose path reads like a GTIN-8 with a wrong check digit
        { type: 'inv', bizTransaction: 'https://erp.example.com/reports/2024/01/20240115' },
      ],
      sourceList: [
        { type: 'owning_party', source: 'https://id.gs1.org/417/0614141000005' },
        { type: 'location', source: 'https://id.gs1.org/414/061414100000' },
      ],
      destinationList: [{ type: 'possessing_party', destination: 'urn:epc:id:pgln:0614141.0000' }],
    }),
    [
      {
        pointer: '/bizTransactionList/1/bizTransaction',
        message:
          'https://id.gs1.org/253/123123123123 is a GS1 Digital Link whose GDTI does not match its AI\'s format: AI (253) must be 13 digits + [1-17 characters of GS1 charset 82], got "123123123123"',
      },
      {
        pointer: '/destinationList/0/destination',
        message:
          "urn:epc:id:pgln:0614141.0000 is not a valid PGLN EPC URN: the company prefix and reference must together have the key's digit count, and the serial only GS1 characters",
      },
      {
        pointer: '/sourceList/1/source',
        message:
          'https://id.gs1.org/414/061414100000 is a GS1 Digital Link whose GLN does not match its AI\'s format: AI (414) must be 13 digits, got "061414100000"',
      },
    ],
    "business transactions, sources and destinations; an opaque URI, another site's URL and a well-formed party GLN pass",
  );
  const sensed = {
    ...event,
    sensorElementList: [
      {
        sensorMetadata: {
          deviceID: SSCC_17,
          bizRules: 'https://example.com/253/4012345000054987',
          rawData: 'https://example.org/8004/401234599999',
        },
        sensorReport: [
          { type: 'Temperature', value: 4, uom: 'CEL', deviceMetadata: 'https://id.gs1.org/8004/12' },
          { type: 'Temperature', value: 5, uom: 'CEL', uriValue: 'https://id.gs1.org/8006/040123451234560302' },
          { type: 'Temperature', value: 6, uom: 'CEL', bizRules: 'https://id.gs1.org/253/4012345000053987' },
        ],
      },
    ],
  };
  const sensorProblems = problems(sensed);
  t.same(
    sensorProblems.map((problem) => problem.pointer),
    [
      '/sensorElementList/0/sensorMetadata/deviceID',
      '/sensorElementList/0/sensorReport/0/deviceMetadata',
      '/sensorElementList/0/sensorReport/1/uriValue',
      '/sensorElementList/0/sensorReport/2/bizRules',
    ],
    'sensor metadata and reports',
  );
  t.match(sensorProblems[2].message, /ITIP does not match .*a piece number not above the total/);
  t.match(sensorProblems[3].message, /GDTI 4012345000053987 has a wrong check digit \(digit 13 would be 4\)/);
  const { action: _action, epcList, ...common } = event;
  t.same(
    problems({
      ...common,
      type: 'TransformationEvent',
      inputEPCList: epcList,
      transformationID: 'https://id.gs1.org/253/401234500005',
    }).map((problem) => problem.pointer),
    ['/transformationID'],
    'a transformation id',
  );
  t.same(
    problems({ ...event, epcList: [SSCC_17], readPoint: { id: 'https://id.gs1.org/414/06141410000051' } }),
    [
      {
        pointer: '/epcList/0',
        message: `${SSCC_17} is a GS1 Digital Link whose SSCC does not match its AI's format: AI (00) must be 18 digits, got "10614141234567890"`,
      },
      {
        pointer: '/readPoint/id',
        message: `https://id.gs1.org/414/06141410000051 is a GS1 Digital Link whose GLN does not match its AI's format: AI (414) must be 13 digits, got "06141410000051"`,
      },
    ],
    'the EPC list and read point, as before, now on the format of the key too',
  );
});

t.test("an event's user-defined fields hold at most 2,000 values, nested at most 32 deep, the field named", async (t) => {
  const numbers = (count: number) => Array.from({ length: count }, (_, i) => i + 0.5);
  const withExtension = (fields: object) => ({ '@context': [CONTEXT, { ex: 'https://ns.example.com/' }], ...event, ...fields });
  // the field's own value counts, as every value in it does, and the 4 of the event's @context
  t.ok(validateCaptureEvent(withExtension({ 'ex:readings': numbers(1995) })).ok, '2,000 values');
  t.same(errorsOf(validateCaptureEvent(withExtension({ 'ex:readings': numbers(1996) }))), [
    {
      pointer: '/ex:readings',
      message:
        "ex:readings takes this event's user-defined fields over 2000 values (numbers, strings, booleans, nulls, objects and arrays, each counting one, with those of ilmd, @context and every member the standard does not define): at most 2000 per event",
    },
  ]);
  t.same(
    errorsOf(validateCaptureEvent(withExtension({ 'ex:a': numbers(1500), 'ex:b': { 'ex:c': numbers(600) } }))).map((e) => e.pointer),
    ['/ex:b'],
    'counted over the event: the field that goes over is named',
  );
  t.same(
    errorsOf(validateCaptureEvent(withExtension({ readPoint: { id: 'urn:epc:id:sgln:6901234.00001.0', 'ex:log': numbers(2500) } }))).map(
      (e) => e.pointer,
    ),
    ['/readPoint/ex:log'],
    'wherever the event holds it',
  );
  t.same(
    errorsOf(validateCaptureEvent({ ...withExtension({}), action: 'ADD', ilmd: { 'ex:batch': { 'ex:readings': numbers(2500) } } })).map(
      (e) => e.pointer,
    ),
    ['/ilmd/ex:batch'],
    'in ilmd too',
  );
  t.same(
    errorsOf(validateCaptureEvent(withExtension({ 'https://ns.example.com/a/b~c': numbers(2500) }))).map((e) => e.pointer),
    ['/https:~1~1ns.example.com~1a~1b~0c'],
    'a full URI as the name, escaped in the pointer',
  );
  let nested: unknown = 1;
  for (let i = 0; i < 32; i++) nested = [nested];
  t.ok(validateCaptureEvent(withExtension({ 'ex:deep': nested })).ok, 'nested 32 deep');
  t.same(errorsOf(validateCaptureEvent(withExtension({ 'ex:deep': [nested] }))), [
    { pointer: '/ex:deep', message: 'ex:deep nests user-defined values more than 32 deep: at most 32' },
  ]);
  const million = await validateCaptureDocument(documentOf(event, withExtension({ 'ex:readings': numbers(1_000_000) })));
  t.same(
    errorsOf(million).map((e) => e.pointer),
    ['/epcisBody/eventList/1/ex:readings'],
    'a document: the event and its field',
  );
  t.ok(
    validateCaptureEvent({ ...event, epcList: Array.from({ length: 5000 }, (_, i) => `urn:epc:id:sgtin:6901234.000001.${i}`) }).ok,
    'standard lists are not counted',
  );
});
