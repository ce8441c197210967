import t from 'tap';
import { canonicalGs1Uri, epcUrnProblem } from '../../src/gs1/canonical.js';

t.test('a serial or lot whose %-escapes decode to NUL or broken UTF-8 is not a GS1 identifier', async (t) => {
  for (const bad of ['A%00B', 'A%ED%A0%80', 'A%C3']) {
    t.equal(canonicalGs1Uri(`https://id.gs1.org/01/06901234000018/10/${bad}`), null, `Digital Link lot ${bad}`);
    t.equal(canonicalGs1Uri(`https://id.gs1.org/01/06901234000018/21/${bad}`), null, `Digital Link serial ${bad}`);
    t.match(epcUrnProblem(`urn:epc:class:lgtin:6901234.000001.${bad}`), /not a valid LGTIN/, `LGTIN lot ${bad}`);
    t.match(epcUrnProblem(`urn:epc:id:sgtin:6901234.000001.${bad}`), /not a valid SGTIN/, `SGTIN serial ${bad}`);
  }
});

t.test('escaped GS1 characters stay valid and canonical', async (t) => {
  t.equal(canonicalGs1Uri('urn:epc:class:lgtin:6901234.000001.A%2FB'), 'https://id.gs1.org/01/06901234000016/10/A%2FB');
  t.equal(canonicalGs1Uri('https://example.com/01/06901234000018/10/A%25B'), 'https://id.gs1.org/01/06901234000018/10/A%25B');
  t.equal(epcUrnProblem('urn:epc:id:sgtin:6901234.000001.A%26B'), null);
});
