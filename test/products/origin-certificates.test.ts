// Which certificate vouches for a farm lot, by its product's category (the traceability rate's rule).
import { originCertificatesOf } from '../../src/products/origin-certificates.js';
import { PRODUCT_CATEGORIES } from '../../src/products/schemas.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('animals and their meat need the quarantine certificate; a commitment certificate does not replace it', async (t) => {
  for (const category of ['live_animal', 'carcass', 'fresh_meat', 'cured_meat']) {
    t.strictSame(originCertificatesOf(category), ['quarantine_certificate'], category);
  }
});

t.test('produce, which has no category of its own, counts by its commitment certificate', async (t) => {
  for (const category of ['other', 'processed_food', 'packaging', null]) {
    t.ok(originCertificatesOf(category).includes('commitment_certificate'), `${category}: the commitment certificate counts`);
    // these categories say nothing of whether the lot is of plants or of animals
    t.ok(originCertificatesOf(category).includes('quarantine_certificate'), `${category}: so does a quarantine certificate`);
  }
});

t.test('every category accepts at least one certificate', async (t) => {
  for (const category of PRODUCT_CATEGORIES) t.ok(originCertificatesOf(category).length > 0, category);
});
