// A second network for the browser tests (issue "Hold under attack"): a network namespace of the test's
// own with a veth pair into it, on addresses the test chooses (10.253.N.1/30 on the host end, .2 inside).
// The customer's browser runs inside; the server and the media server listen on the host end. No traffic
// goes anywhere but loopback and this pair. nftables inside the namespace blocks what a test asks it to.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();

/** Whether this machine lets the tests make namespaces (root, iproute2, nftables): why not, or null. */
export function networkNamespacesUnavailable(): string | null {
	if (process.getuid?.() !== 0) return 'network namespaces need root';
	const probe = `tandem-probe-${randomBytes(3).toString('hex')}`;
	try {
		ip('netns', 'add', probe);
		ip('netns', 'del', probe);
		execFileSync('nft', ['--version'], { stdio: 'ignore' });
		return null;
	} catch (error) {
		return `ip netns or nft does not work here: ${error instanceof Error ? error.message.split('\n')[0] : error}`;
	}
}

export interface CustomerNetwork {
	/** The namespace's name (for `ip netns exec`). */
	name: string;
	/** The host end's address: the server and the media server listen on it. */
	hostIp: string;
	/** The address inside the namespace, the customer's. */
	customerIp: string;
	/** Drops every UDP packet the namespace sends. */
	blockUdp(): void;
	/** Drops everything the namespace sends to these TCP and UDP ports of the host end (the media server's). */
	blockPorts(min: number, max: number): void;
	/** Lifts every block. */
	unblock(): void;
	/** Removes the namespace and the veth pair with it. */
	close(): void;
}

export function customerNetwork(): CustomerNetwork {
	const id = randomBytes(3).toString('hex');
	const name = `tandem-${id}`;
	const subnet = 1 + (parseInt(id.slice(0, 2), 16) % 254);
	const hostIp = `10.253.${subnet}.1`;
	const customerIp = `10.253.${subnet}.2`;
	const hostEnd = `th${id}`;
	const inside = `tc${id}`;
	const inNs = (...args: string[]) => ip('netns', 'exec', name, ...args);
	const nft = (script: string) =>
		execFileSync('ip', ['netns', 'exec', name, 'nft', '-f', '-'], { input: script, stdio: ['pipe', 'pipe', 'pipe'] });
	ip('netns', 'add', name);
	try {
		ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', inside);
		ip('link', 'set', inside, 'netns', name);
		ip('addr', 'add', `${hostIp}/30`, 'dev', hostEnd);
		ip('link', 'set', hostEnd, 'up');
		inNs('ip', 'addr', 'add', `${customerIp}/30`, 'dev', inside);
		inNs('ip', 'link', 'set', inside, 'up');
		inNs('ip', 'link', 'set', 'lo', 'up');
	} catch (error) {
		ip('netns', 'del', name);
		throw error;
	}
	const block = (...rules: string[]) =>
		nft(
			[
				'table inet tandem_block {',
				'\tchain out {',
				'\t\ttype filter hook output priority 0; policy accept;',
				...rules.map((r) => `\t\t${r}`),
				'\t}',
				'}',
				'',
			].join('\n'),
		);
	return {
		name,
		hostIp,
		customerIp,
		blockUdp: () => block('meta l4proto udp drop'),
		blockPorts: (min, max) => block(`ip daddr ${hostIp} tcp dport ${min}-${max} drop`, `ip daddr ${hostIp} udp dport ${min}-${max} drop`),
		unblock: () => {
			try {
				nft('delete table inet tandem_block\n');
			} catch {
				/* nothing was blocked */
			}
		},
		close: () => {
			try {
				ip('netns', 'del', name);
			} catch {
				/* already gone */
			}
		},
	};
}
