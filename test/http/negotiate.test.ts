import { preferredType } from '../../src/http/negotiate.js';
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
});
