import cors from '@fastify/cors';
import fp from 'fastify-plugin';

// Resolver pages, QR images and the API are read cross-origin; keys travel in headers, never cookies.
export default fp(async (app) => {
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'OPTIONS'],
    exposedHeaders: ['Link', 'Location', 'X-Request-Id'],
    strictPreflight: false,
    preflightContinue: true,
  });
});
