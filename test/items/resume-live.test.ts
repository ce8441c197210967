// The service listens before it resumes the jobs a stop cut off (so a first start issues its admin
// key only once it listens): a job a request queued in between is this process's own, not an
// interrupted one, and is not run a second time (a second code run deletes the codes the first
// issued and issues others; a second capture run captures the document again).
import { sql } from 'drizzle-orm';
import { epcisDocument, observation } from '../fixtures/epcis.js';
import { createWorld, expectStatus } from '../fixtures/world.js';
import { fileTest } from '../root.js';

const t = fileTest();

t.test('jobs queued by this process are not resumed as interrupted ones', async (t) => {
  const world = await createWorld(t);
  const processor = await world.party('processor');
  const product = await processor.product('piece');
  const lot = await processor.commission(product, 100);
  const accepted = expectStatus(t, await processor.api.post(`/lots/${lot}/items`, { count: 5 }), 202, 'a code job');
  t.equal(await world.app.services.items.resumeInterruptedJobs(), 0, 'a code job just queued is not resumed');
  const capture = await world.app.inject({
    method: 'POST',
    url: '/epcis/capture',
    payload: epcisDocument([observation(2, { epcList: ['urn:epc:id:sgtin:0614141.812345.1'] })]),
    headers: { 'content-type': 'application/ld+json', authorization: `Bearer ${processor.key}` },
  });
  t.equal(capture.statusCode, 202, capture.body);
  t.equal(await world.app.services.epcis.resumeInterruptedJobs(), 0, 'a capture job just queued is not resumed');
  await world.app.services.items.idle();
  await world.app.services.epcis.idle();
  t.match((await processor.api.get(`/code-jobs/${accepted.body.id}`)).body, { status: 'succeeded', done: 5 });
  t.match((await processor.api.get(`/epcis/capture/${capture.json().captureID}`)).body, { captured: 1 });

  // a job left unfinished (as by a stop) is still resumed, once
  await world.database.db.execute(sql`update code_jobs set status = 'queued' where id = ${accepted.body.id}`);
  t.equal(await world.app.services.items.resumeInterruptedJobs(), 1, 'an unfinished job of the store is resumed');
  t.equal(await world.app.services.items.resumeInterruptedJobs(), 0, 'and not queued twice');
  await world.app.services.items.idle();
  t.match((await processor.api.get(`/code-jobs/${accepted.body.id}`)).body, { status: 'succeeded', done: 5 });
});
