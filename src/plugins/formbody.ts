import formbody from '@fastify/formbody';
import fp from 'fastify-plugin';

// The consumer page's complaint form posts application/x-www-form-urlencoded, so it works without JavaScript.
export default fp(async (app) => {
  await app.register(formbody);
});
