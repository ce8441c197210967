import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';

// Off by default: public routes opt in with their own limits (config.rateLimit), and so does the 404 handler.
export default fp(async (app) => {
  await app.register(rateLimit, { global: false });
});
