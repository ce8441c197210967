// Deliveries to subscribers' webhooks, which must never become requests on a user's behalf to
// this host, the private network or a cloud metadata service: only https (plain http and private
// addresses only with an explicit development setting), every resolved address checked when the
// subscription is made and again at each delivery (at connect time, so DNS cannot be switched in
// between), no redirects followed, bounded time and response size.
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export type WebhookPolicy = {
  /** Development only: allow http and private, loopback or link-local destinations. */
  allowInsecure: boolean;
};

/** Names of cloud metadata services, refused whatever they resolve to. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
/** How long a delivery may take and how much of an answer is read. */
export type DeliveryLimits = { timeoutMs: number; maxResponseBytes: number };
const LIMITS: DeliveryLimits = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

/** Why a webhook destination is refused, or null when deliveries may go there. */
export async function destinationProblem(dest: string, policy: WebhookPolicy): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(dest);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) return 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  const host = url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service`;
  if (policy.allowInsecure) return null;
  let addresses: string[];
  try {
    addresses = ipaddr.isValid(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((found) => found.address);
  } catch {
    return `${host} does not resolve`;
  }
  for (const address of addresses) {
    const range = ipaddr.process(address).range();
    if (range !== 'unicast') return `${host} resolves to ${address}, a ${range} address`;
  }
  return null;
}

/** POSTs a delivery and returns the status; a redirect is a status like any other, never followed. */
export function createWebhookSender(policy: WebhookPolicy, { timeoutMs, maxResponseBytes }: DeliveryLimits = LIMITS) {
  const filter = { allowPrivateIPAddress: policy.allowInsecure, allowMetaIPAddress: false, keepAlive: true };
  const agents = { 'http:': new RequestFilteringHttpAgent(filter), 'https:': new RequestFilteringHttpsAgent(filter) };
  return (url: string, body: string, headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const client = target.protocol === 'https:' ? https : http;
      const request = client.request(
        target,
        {
          method: 'POST',
          agent: agents[target.protocol as 'http:' | 'https:'],
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (response) => {
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > maxResponseBytes) response.destroy();
          });
          response.on('close', () => resolve(response.statusCode ?? 0));
          response.on('error', () => resolve(response.statusCode ?? 0));
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      request.on('error', reject);
      request.end(body);
    });
}
