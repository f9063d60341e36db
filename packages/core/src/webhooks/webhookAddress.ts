// Where an outbound webhook may send Tandem's events (issue 11): a full http(s) address of another system.
// Not a private, loopback, link-local or otherwise non-public address (a webhook must not become a way into
// the server's own network) unless the site allows them, and never the server itself. The same check runs
// when the address is registered and again on every delivery, on the addresses the host name resolves to
// then (the connection goes to an address that was checked: a host name cannot change its mind in between).

import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { BlockList, isIP, isIPv4 } from 'node:net';
import { networkInterfaces } from 'node:os';
import { z } from 'zod';
import { TandemError, type ErrorCode } from '../refusal.ts';
import { codePoints } from '../session/textLimits.ts';

/** The longest webhook address, in code points. */
export const WEBHOOK_URL_MAX = 2_000;

export interface WebhookAddressPolicy {
	/** Private, loopback, link-local and unique-local addresses may be used (a closed network; the tests). */
	allowPrivate: boolean;
	/** The server's own origins (its public URL, where it listens, its media server's control API): always refused. */
	ownOrigins: readonly string[];
}

/** Refused whatever the setting: nobody answers HTTP there (unspecified, multicast, broadcast, reserved). */
const unusable = new BlockList();
/** Refused unless private addresses are allowed. */
const nonPublic = new BlockList();
for (const [net, bits] of [
	['0.0.0.0', 8],
	['192.0.0.0', 24],
	['192.0.2.0', 24],
	['198.51.100.0', 24],
	['203.0.113.0', 24],
	['198.18.0.0', 15],
	['224.0.0.0', 4],
	['240.0.0.0', 4],
] as const)
	unusable.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
	['::', 128],
	['100::', 64],
	['2001:db8::', 32],
	['ff00::', 8],
] as const)
	unusable.addSubnet(net, bits, 'ipv6');
for (const [net, bits] of [
	['10.0.0.0', 8],
	['100.64.0.0', 10],
	['127.0.0.0', 8],
	['169.254.0.0', 16],
	['172.16.0.0', 12],
	['192.168.0.0', 16],
] as const)
	nonPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
	['::1', 128],
	['fc00::', 7],
	['fe80::', 10],
	['fec0::', 10],
] as const)
	nonPublic.addSubnet(net, bits, 'ipv6');

/** An IPv6 address's eight groups (a zone id dropped), or null when it is not one. */
function groupsOf(address: string): number[] | null {
	const bare = address.replace(/%.*$/, '');
	if (isIP(bare) !== 6) return null;
	let text = bare;
	const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
	if (v4) {
		const [a, b, c, d] = v4[1]!.split('.').map(Number) as [number, number, number, number];
		text = `${text.slice(0, -v4[1]!.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
	}
	const [head, tail] = text.includes('::') ? (text.split('::') as [string, string]) : [text, null];
	const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
	const front = parse(head);
	const back = tail === null ? [] : parse(tail);
	return [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/**
 * One spelling per address: IPv4 as dotted quads (an IPv4-mapped or NAT64 IPv6 address as the IPv4 address it
 * carries), IPv6 as eight full groups.
 */
export function canonicalAddress(address: string): string {
	if (isIPv4(address)) return address;
	const g = groupsOf(address);
	if (!g) return address.toLowerCase();
	const embedsV4 =
		(g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) || (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0));
	if (embedsV4) return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff].join('.');
	return g.map((x) => x.toString(16).padStart(4, '0')).join(':');
}

export type AddressKind = 'public' | 'private' | 'unusable';

/** What an address is, for a webhook: public, private (loopback, private, link-local, unique-local), or unusable. */
export function addressKind(address: string): AddressKind {
	const canonical = canonicalAddress(address);
	const family = isIPv4(canonical) ? 'ipv4' : 'ipv6';
	if (family === 'ipv6') {
		const g = groupsOf(canonical)!;
		// The deprecated IPv4-compatible ::a.b.c.d (not :: or ::1).
		if (g.slice(0, 6).every((x) => x === 0) && (g[6] !== 0 || g[7]! > 1)) return 'unusable';
	}
	if (canonical === '255.255.255.255' || unusable.check(canonical, family)) return 'unusable';
	return nonPublic.check(canonical, family) ? 'private' : 'public';
}

/** The address as a person typed it: an http(s) URL without credentials, at most WEBHOOK_URL_MAX code points. */
export const webhookUrl = z.string().transform((text, ctx): URL => {
	const refused = (code: ErrorCode) => {
		ctx.addIssue({ code: 'custom', message: code });
		return z.NEVER;
	};
	const typed = text.trim();
	if (typed === '' || codePoints(typed) > WEBHOOK_URL_MAX) return refused('webhookUrlInvalid');
	let url: URL;
	try {
		url = new URL(typed);
	} catch {
		return refused('webhookUrlInvalid');
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return refused('webhookUrlNotHttp');
	if (url.username || url.password) return refused('webhookUrlCredentials');
	if (!url.hostname || codePoints(url.href) > WEBHOOK_URL_MAX) return refused('webhookUrlInvalid');
	url.hash = ''; // never sent
	return url;
});

const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');
const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** Every address a host has (an address is its own). */
async function addressesOf(host: string): Promise<string[]> {
	if (isIP(host)) return [host];
	const found = await dnsLookup(host, { all: true, verbatim: true });
	return found.map((a) => a.address);
}

/** Is the address one of this machine's (loopback, unspecified, or an interface's)? */
function onThisMachine(address: string): boolean {
	const canonical = canonicalAddress(address);
	if (
		canonical.startsWith('127.') ||
		canonical === '0.0.0.0' ||
		canonical === canonicalAddress('::1') ||
		canonical === canonicalAddress('::')
	)
		return true;
	return Object.values(networkInterfaces()).some((list) => list?.some((i) => canonicalAddress(i.address) === canonical));
}

/** Does the URL, at these addresses, reach the server itself (one of its own origins)? */
async function reachesOwnServer(url: URL, addresses: readonly string[], policy: WebhookAddressPolicy): Promise<boolean> {
	const port = portOf(url);
	const mine = addresses.map(canonicalAddress);
	for (const origin of policy.ownOrigins) {
		let own: URL;
		try {
			own = new URL(origin);
		} catch {
			continue;
		}
		if (own.origin === url.origin) return true;
		if (portOf(own) !== port) continue;
		// Its listening address and port: a server on a loopback or unspecified address (or on one of this
		// machine's) answers on every address of this machine. (A public name served elsewhere, e.g. by a
		// reverse proxy with other sites behind it, is its origin only.)
		if (isIP(hostOf(own)) && mine.includes(canonicalAddress(hostOf(own)))) return true;
		const ownAddresses = await addressesOf(hostOf(own)).catch(() => [] as string[]);
		if (ownAddresses.some(onThisMachine) && mine.some(onThisMachine)) return true;
	}
	return false;
}

/** Why these addresses may not be sent to (null: they may). */
export async function refusalOfAddresses(url: URL, addresses: readonly string[], policy: WebhookAddressPolicy): Promise<ErrorCode | null> {
	if (addresses.length === 0) return 'webhookHostUnknown';
	for (const address of addresses) {
		const kind = addressKind(address);
		if (kind === 'unusable' || (kind === 'private' && !policy.allowPrivate)) return 'webhookPrivateAddress';
	}
	if (await reachesOwnServer(url, addresses, policy)) return 'webhookOwnServer';
	return null;
}

/** The address an admin typed, checked (its host resolved now): the URL to store, or a refusal with its code. */
export async function checkWebhookAddress(text: string, policy: WebhookAddressPolicy): Promise<URL> {
	const parsed = webhookUrl.safeParse(text);
	if (!parsed.success) throw new TandemError((parsed.error.issues[0]?.message ?? 'webhookUrlInvalid') as ErrorCode);
	const url = parsed.data;
	// Its own origin is refused before anything is looked up.
	if (await reachesOwnServer(url, [], policy)) throw new TandemError('webhookOwnServer');
	const addresses = await addressesOf(hostOf(url)).catch(() => [] as string[]);
	const refusal = await refusalOfAddresses(url, addresses, policy);
	if (refusal) throw new TandemError(refusal);
	return url;
}

/** A delivery's connection, refused before it is made: the address is written in the URL and not allowed. */
export async function refusalOfLiteralAddress(url: URL, policy: WebhookAddressPolicy): Promise<ErrorCode | null> {
	const host = hostOf(url);
	if (!isIP(host)) return (await reachesOwnServer(url, [], policy)) ? 'webhookOwnServer' : null;
	return refusalOfAddresses(url, [host], policy);
}

/**
 * The DNS lookup of a delivery's connection: the host's addresses, each checked as at registration; a host
 * that now resolves somewhere not allowed fails the connection (an error whose code is the refusal's).
 */
export function checkedLookup(url: URL, policy: WebhookAddressPolicy): LookupFunction {
	return (hostname, options, callback) => {
		dnsLookup(hostname, { all: true, verbatim: true, ...(options.family ? { family: options.family } : {}) })
			.then(async (found) => {
				const refusal = await refusalOfAddresses(
					url,
					found.map((a) => a.address),
					policy,
				);
				if (refusal) {
					const error = Object.assign(new Error(refusal), { code: refusal }) as NodeJS.ErrnoException;
					return callback(error, '', 0);
				}
				if (options.all) return (callback as unknown as (e: null, all: typeof found) => void)(null, found);
				callback(null, found[0]!.address, found[0]!.family);
			})
			.catch((error: NodeJS.ErrnoException) => callback(error, '', 0));
	};
}
