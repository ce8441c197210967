// Deliveries to subscribers' webhooks, which must never become requests on a user's behalf to
// this host, the private network or a cloud metadata service: only https (plain http and private
// addresses only with an explicit development setting), every resolved address checked when the
// subscription is made and again at each delivery (at connect time, so DNS cannot be switched in
// between), no redirects followed, bounded time (of the whole delivery) and response size.
//
// Names are resolved by asking the name servers (c-ares, node:dns's Resolver), not with dns.lookup:
// getaddrinfo runs on libuv's four threads and cannot be stopped, so four names whose name server
// never answers would hold every lookup of the process, and its file, zlib and crypto work, for as
// long as the system resolver waits. A query to the name servers runs on the event loop and is
// cancelled when its time is up. /etc/hosts is not read: a name is what DNS says it is, the same
// when it is checked and when the delivery connects (`localhost` and its subdomains are refused by
// name, RFC 6761).
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

/** The addresses (IPv4 and IPv6) DNS gives for `host`; stops, rejecting, once `signal` is aborted. */
export type ResolveAddresses = (host: string, signal: AbortSignal) => Promise<string[]>;

export type WebhookPolicy = {
  /** Development only: allow http and private, loopback or link-local destinations (names then resolve as the system does). */
  allowInsecure: boolean;
  /** How names are resolved (tests give their own): by asking the name servers unless given. */
  resolve?: ResolveAddresses;
  /** How long a destination's name may take to resolve (LOOKUP_TIMEOUT_MS unless given). */
  lookupTimeoutMs?: number;
};

/** Names of cloud metadata services, refused whatever they resolve to. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
/** How long a delivery may take and how much of an answer is read. */
export type DeliveryLimits = { timeoutMs: number; maxResponseBytes: number };
const LIMITS: DeliveryLimits = { timeoutMs: 10_000, maxResponseBytes: 64 * 1024 };

/** The longest destination URL stored. */
export const MAX_DEST_LENGTH = 2048;
/** How long a destination's name may take to resolve (a name server that never answers holds nothing longer: its queries are cancelled). */
export const LOOKUP_TIMEOUT_MS = 5000;
/**
 * A delivery's failure as this module words it (a refused address, a name that does not resolve in
 * time, an answer that took too long): its message names no secret, and is shown to the
 * subscription's owner as it is. Other failures (the network's, TLS's) are shown by their code.
 */
export class DeliveryError extends Error {}
class LookupTimeout extends DeliveryError {}

/** A DNS answer that the name has no such address (as opposed to a name server that failed or did not answer). */
const NO_ADDRESS = new Set([dns.NODATA, dns.NOTFOUND]);

/**
 * Resolves a name's IPv4 and IPv6 addresses with its own c-ares channel (`servers`, the system's
 * name servers unless given), which `signal` cancels: nothing of it outlives its time.
 */
export function nameServerResolver(servers?: string[]): ResolveAddresses {
  return async (host, signal) => {
    const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 2 });
    if (servers) resolver.setServers(servers);
    const cancel = () => resolver.cancel();
    signal.addEventListener('abort', cancel, { once: true });
    try {
      if (signal.aborted) throw signal.reason;
      const answers = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      if (signal.aborted) throw signal.reason;
      const addresses = answers.flatMap((answer) => (answer.status === 'fulfilled' ? answer.value : []));
      // one family's failure (not its absence) leaves the name unchecked: refused rather than half-known
      const failed = answers.find(
        (answer): answer is PromiseRejectedResult => answer.status === 'rejected' && !NO_ADDRESS.has(answer.reason?.code),
      );
      if (failed) throw failed.reason;
      if (addresses.length === 0) throw Object.assign(new DeliveryError(`${host} does not resolve`), { code: dns.NOTFOUND });
      return addresses;
    } finally {
      signal.removeEventListener('abort', cancel);
    }
  };
}
const systemNameServers = nameServerResolver();

/** The addresses of `host` by `policy`'s resolver, given up (its queries cancelled) after its time: a LookupTimeout. */
async function addressesOf(host: string, policy: WebhookPolicy): Promise<string[]> {
  const resolve = policy.resolve ?? systemNameServers;
  const timeoutMs = policy.lookupTimeoutMs ?? LOOKUP_TIMEOUT_MS;
  const giveUp = new AbortController();
  const timer = setTimeout(() => giveUp.abort(new LookupTimeout(`${host} does not resolve within ${timeoutMs / 1000} s`)), timeoutMs);
  try {
    return await resolve(host, giveUp.signal);
  } catch (error) {
    if (giveUp.signal.aborted) throw giveUp.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** `localhost` and the names under it, loopback by definition (RFC 6761), whatever a name server says of them. */
const isLocalhostName = (host: string) => host === 'localhost' || host.endsWith('.localhost');
/** A URL's host as compared: an IPv6 address without its brackets, a name without its trailing dot, in lower case. */
const hostOf = (url: URL) =>
  url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();

/** IPv6 global unicast (RFC 4291); the rest is reserved or special, e.g. the IPv4-compatible ::/96, which the library calls unicast. */
const GLOBAL_UNICAST = ipaddr.IPv6.parseCIDR('2000::/3');
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');

/** The range an address is in, `unicast` only when it is public (an IPv4-mapped one by its IPv4 address). */
function addressRange(address: string): string {
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range !== 'unicast' || parsed.kind() === 'ipv4') return range;
  if (parsed.match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
  return parsed.match(GLOBAL_UNICAST) ? 'unicast' : 'reserved';
}

/**
 * Why deliveries may not go to `address`, which `host` resolved to, or null when they may. A name's
 * address is not told, only its range: the answer would otherwise show anyone with a key what the
 * service's DNS says of the private network's names.
 */
function addressProblem(host: string, address: string): string | null {
  const range = addressRange(address);
  if (range === 'unicast') return null;
  return isIP(host) ? `${host} is a ${range} address` : `${host} resolves to a ${range} address`;
}

/**
 * Why a webhook destination is refused for its shape alone (not an https URL, credentials in it, a
 * metadata service's name, an address written in it that is not public), or null: told without
 * asking DNS, so that a malformed request is answered at once.
 */
export function destinationShapeProblem(dest: string, policy: WebhookPolicy): string | null {
  if (dest.length > MAX_DEST_LENGTH) return `must be at most ${MAX_DEST_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(dest);
  } catch {
    return 'must be an absolute https URL';
  }
  if (url.protocol !== 'https:' && !(policy.allowInsecure && url.protocol === 'http:')) return 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host)) return `${host} is a cloud metadata service`;
  if (policy.allowInsecure) return null;
  if (isLocalhostName(host)) return `${host} resolves to a loopback address`;
  if (!ipaddr.isValid(host)) return null;
  return addressProblem(host, host);
}

/** Why a webhook destination is refused (its shape, then every address its name resolves to), or null when deliveries may go there. */
export async function destinationProblem(dest: string, policy: WebhookPolicy): Promise<string | null> {
  const shape = destinationShapeProblem(dest, policy);
  if (shape || policy.allowInsecure) return shape;
  const host = hostOf(new URL(dest));
  if (ipaddr.isValid(host)) return null;
  let addresses: string[];
  try {
    addresses = await addressesOf(host, policy);
  } catch (error) {
    return error instanceof LookupTimeout ? error.message : `${host} does not resolve`;
  }
  for (const address of addresses) {
    const problem = addressProblem(host, address);
    if (problem) return problem;
  }
  return null;
}

/**
 * A lookup for connecting (net's `lookup`) that resolves as `destinationProblem` does, within the
 * same time, and refuses a name that resolves to any address it refuses.
 */
export function publicAddressLookup(policy: WebhookPolicy = { allowInsecure: false }): LookupFunction {
  return (hostname, options, callback) => {
    const host = hostname.replace(/\.$/, '').toLowerCase();
    const found = isIP(host)
      ? Promise.resolve([host])
      : isLocalhostName(host)
        ? Promise.reject(new DeliveryError(`${host} resolves to a loopback address`))
        : addressesOf(host, policy);
    found.then(
      (addresses) => {
        for (const address of addresses) {
          const problem = addressProblem(hostname, address);
          if (problem) return callback(new DeliveryError(problem), '');
        }
        const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
        const usable = addresses
          .map((address) => ({ address, family: isIP(address) }))
          .filter((entry) => !family || entry.family === family);
        if (usable.length === 0)
          return callback(Object.assign(new DeliveryError(`${hostname} has no IPv${family} address`), { code: dns.NOTFOUND }), '');
        if (options.all) return callback(null, usable);
        callback(null, usable[0].address, usable[0].family);
      },
      (error: Error) => callback(error, ''),
    );
  };
}

/** POSTs a delivery and returns the status; a redirect is a status like any other, never followed. */
export function createWebhookSender(policy: WebhookPolicy, { timeoutMs, maxResponseBytes }: DeliveryLimits = LIMITS) {
  // the agents apply the library's ranges; the lookup and the check of an address in the URL add this module's
  const filter = {
    allowPrivateIPAddress: policy.allowInsecure,
    allowMetaIPAddress: false,
    keepAlive: true,
    ...(policy.allowInsecure ? {} : { lookup: publicAddressLookup(policy) }),
  };
  const agents = { 'http:': new RequestFilteringHttpAgent(filter), 'https:': new RequestFilteringHttpsAgent(filter) };
  /** `signal` cuts the post off: a delivery that is given up (the service stops) fails at once. */
  return (url: string, body: string, headers: Record<string, string>, signal?: AbortSignal): Promise<number> =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const address = target.hostname.replace(/^\[|\]$/g, '');
      const problem = !policy.allowInsecure && isIP(address) ? addressProblem(address, address) : null;
      if (problem) return reject(new DeliveryError(problem));
      const client = target.protocol === 'https:' ? https : http;
      // the whole delivery, not only each silence: an answer trickled a byte at a time would
      // otherwise hold its subscription (and one of the process's delivery places) for days. An
      // answer not finished by then is given up, begun or not: a failed delivery, sent again later
      // (its status alone says nothing of whether the webhook took the events). One too long is
      // only cut off: the webhook has answered, and what follows its first bytes is not read.
      let answer: http.IncomingMessage | undefined;
      let late = false;
      const deadline = setTimeout(() => {
        late = true;
        if (answer) answer.destroy();
        else request.destroy(new DeliveryError(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      const request = client.request(
        target,
        {
          method: 'POST',
          agent: agents[target.protocol as 'http:' | 'https:'],
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
          signal,
        },
        (response) => {
          answer = response;
          // read to its end in time: the bound no longer applies
          response.on('end', () => clearTimeout(deadline));
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > maxResponseBytes) response.destroy();
          });
          const settle = () => {
            clearTimeout(deadline);
            if (late) reject(new DeliveryError(`answer not finished within ${timeoutMs / 1000} s`));
            else if (signal?.aborted && !response.complete) reject(new DeliveryError('cut off before the answer was read'));
            else resolve(response.statusCode ?? 0);
          };
          response.on('close', settle);
          response.on('error', settle);
        },
      );
      request.on('timeout', () => request.destroy(new DeliveryError(`no answer within ${timeoutMs / 1000} s`)));
      request.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      request.end(body);
    });
}
