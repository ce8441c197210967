import fp from 'fastify-plugin';

// Once a stop has begun, every answer closes its connection. A keep-alive connection that was busy
// when the stop began would otherwise stay open after its answer and hold the stop up until the
// grace period ran out (new requests on it already get 503 from Fastify).
export default fp(async (app) => {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
});
