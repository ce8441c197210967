import type { z } from 'zod';

/**
 * A JSON answer with the Location of what the request made or found (a job, a recall, an event),
 * declared with it: the OpenAPI document (src/plugins/swagger.ts) keeps the headers of a response
 * declared by content type.
 */
export const locatedJsonResponse = <Schema extends z.ZodType>(schema: Schema, description: string, location: string) => ({
  description,
  headers: { Location: { type: 'string', description: location } },
  content: { 'application/json': { schema } },
});
