import { acceptsAnyOf, preferredType } from '../../src/http/negotiate.js';
import { fileTest } from '../root.js';

const t = fileTest();

const OFFERED = ['text/html', 'application/json', 'application/linkset+json'];

t.test('content negotiation by Accept', async (t) => {
  t.equal(preferredType(undefined, OFFERED), 'text/html', 'a bare scan gets the page');
  t.equal(preferredType('*/*', OFFERED), 'text/html');
  t.equal(preferredType('application/json', OFFERED), 'application/json');
  t.equal(preferredType('application/linkset+json', OFFERED), 'application/linkset+json');
  t.equal(preferredType('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', OFFERED), 'text/html', 'a browser');
  t.equal(preferredType('text/html;q=0.5, application/json', OFFERED), 'application/json', 'q-values decide');
  t.equal(preferredType('application/*', OFFERED), 'application/json', 'a range picks the first offered match');
  t.equal(preferredType('image/png', OFFERED), 'text/html', 'nothing acceptable falls back to the default');
  t.equal(preferredType('application/json;q=0', OFFERED), 'text/html', 'q=0 means not acceptable');
  t.equal(preferredType('text/html;q=0, */*;q=0.1', OFFERED), 'application/json', 'a type refused by name is not taken back by a wildcard');
  t.equal(preferredType('application/*;q=0, application/json', OFFERED), 'application/json', 'the most specific range decides');
  t.equal(preferredType('*/*;q=0.5, text/*;q=0.1', OFFERED), 'application/json', 'so does a narrower range of lower q');
  t.equal(preferredType('application/json;charset=utf-8', OFFERED), 'application/json', 'parameters other than q are not a mismatch');
  t.equal(preferredType('*/*, application/linkset+json', OFFERED), 'application/linkset+json', 'a named type before a wildcard of equal q');
});

t.test('whether a client takes any of the types offered', async (t) => {
  const JSON_TYPES = ['application/ld+json', 'application/json'];
  t.ok(acceptsAnyOf(undefined, JSON_TYPES), 'no Accept takes anything');
  t.ok(acceptsAnyOf(' , ', JSON_TYPES), 'nor does one naming no type');
  t.ok(acceptsAnyOf('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', JSON_TYPES), 'a browser');
  t.ok(acceptsAnyOf('APPLICATION/JSON', JSON_TYPES), 'in any case');
  t.notOk(acceptsAnyOf('application/xml', JSON_TYPES), 'an XML-only reader');
  t.notOk(acceptsAnyOf('application/json;Q=0, application/ld+json;q=0', JSON_TYPES), 'both refused, Q in upper case too');
  t.notOk(acceptsAnyOf('application/json;q=0, application/ld+json;q=0, */*', JSON_TYPES), 'refused by name, whatever the wildcard');
});
