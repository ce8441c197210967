// A complaint the scan page's form posted that cannot be filed: the shopper's browser gets a page
// in the shopper's language saying what to do, with the error's status; JSON clients get problem+json.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Problem, problemSchema } from '../errors/problem.js';
import { preferredType } from '../http/negotiate.js';
import { isScanPath } from '../resolver/routes.js';
import { PAGE_HEADERS, PAGE_HEADERS_DECLARED } from '../web/html.js';
import { pageLang } from '../web/i18n/index.js';
import { complaintFormErrorPage, type Refile } from './pages.js';

const FORM_TYPES = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data)\s*(;|$)/i;
/** A scan page's own path, as its form names it: one absolute path, nothing that leads elsewhere. */
const SCAN_PAGE = /^\/(?![/\\])[\w\-.~%/:@!$&'()*+,;=]{1,1000}$/;
/** A code as the form's hidden field carries it, for a link back to its page when the form named none. */
const CODE = /^[0-9A-Za-z]{1,64}$/;

/**
 * Whether an error answering this request goes to a person's browser as a page: a form post
 * (url-encoded, or multipart) to a route a page's form posts to (config.formErrorPage, POST
 * /complaints) from a client that does not ask for JSON first.
 */
export function isComplaintFormPost(request: FastifyRequest): boolean {
  if (!request.routeOptions?.config?.formErrorPage) return false;
  if (!FORM_TYPES.test(request.headers['content-type'] ?? '')) return false;
  return preferredType(request.headers.accept, ['text/html', 'application/problem+json', 'application/json']) === 'text/html';
}

/** The scan page the form was on, as its `from` parameter names it: a path of the scan pages, or null. */
function scanPageOf(query: URLSearchParams): string | null {
  const from = query.get('from')?.split('?')[0];
  // a path a browser would not take as written (dot segments, `%2e` ones too) may climb out of the scan pages
  return from && SCAN_PAGE.test(from) && isScanPath(from) && new URL(from, 'http://scan.invalid').pathname === from ? from : null;
}

/** The code the form names, when it is one a scan page would carry. */
function codeOf(body: unknown): string | null {
  const code = (body as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CODE.test(code.trim()) ? code.trim() : null;
}

/** The scan page the form was on: its `from` parameter, else the page of the code the form names. */
function backTo(query: URLSearchParams, body: unknown, lang: string): string | null {
  const from = scanPageOf(query);
  if (from) return `${from}?lang=${lang}`;
  const code = codeOf(body);
  return code ? `/t/${code}?lang=${lang}` : null;
}

/** A field left out, empty, or of spaces and line breaks alone (as the schema trims it). */
const isBlank = (value: unknown) => typeof value !== 'string' || value.trim() === '';

/** A typed field as the form shows it again: text only, no control characters but line breaks, bounded. */
function typedText(value: unknown, max: number): string | undefined {
  if (typeof value !== 'string') return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  return value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, max);
}

/**
 * The form to post again when only what was typed is wrong (not the code, not the rate): for the
 * same code, to the same scan page's form path, with the values as typed.
 */
function refileOf(status: number, fields: string[], query: URLSearchParams, body: unknown, lang: string): Refile | undefined {
  const code = codeOf(body);
  if (status !== 400 || !code || fields.includes('code') || fields.includes('codeNotSold')) return undefined;
  const from = scanPageOf(query);
  const typed = body as { category?: unknown; text?: unknown; phone?: unknown };
  return {
    code,
    path: `/complaints?lang=${lang}${from ? `&from=${encodeURIComponent(from)}` : ''}`,
    typed: { category: typedText(typed.category, 40), text: typedText(typed.text, 4000), phone: typedText(typed.phone, 40) },
  };
}

export function sendComplaintFormError(request: FastifyRequest, reply: FastifyReply, problem: Problem): FastifyReply {
  // read off the URL: a query string that failed validation is not parsed
  const query = new URLSearchParams(request.url.split('?')[1] ?? '');
  const lang = pageLang(query.get('lang'), request.headers['accept-language']);
  const fields = (problem.errors ?? [])
    .filter((error) => error.in === 'body')
    .map((error) => error.pointer.split('/')[1] ?? '')
    .map((field) => (field === 'text' && isBlank((request.body as { text?: unknown } | undefined)?.text) ? 'textEmpty' : field))
    // a code no shopper holds is said in words of its own, not as an invalid one
    .map((field) => (field === 'code' && problem.slug === 'complaint-code-not-sold' ? 'codeNotSold' : field));
  return reply
    .code(problem.status)
    .headers(PAGE_HEADERS)
    .header('vary', 'Accept, Accept-Language')
    .type('text/html; charset=utf-8')
    .send(
      complaintFormErrorPage(
        problem.status,
        fields,
        backTo(query, request.body, lang),
        lang,
        refileOf(problem.status, fields, query, request.body, lang),
      ),
    );
}

/** An error of a route a page's form posts to, as the OpenAPI document declares it. */
export const formError = (description: string) => ({
  description: `${description}: for a browser's form post (url-encoded or multipart, not asking for JSON first) a page in the consumer's language saying what to correct, with a link back to the scan page; problem+json otherwise`,
  content: { 'application/problem+json': { schema: problemSchema }, 'text/html': { schema: z.string() } },
  headers: {
    Vary: {
      type: 'string',
      const: 'Accept, Accept-Language',
      description:
        'on the page: it is given for a browser’s form (Accept), in the language Accept-Language asks for when no lang names one',
    },
    ...PAGE_HEADERS_DECLARED,
  },
});
