// Which addresses a webhook may go to (issue 11), as a table: public ones; private, loopback, link-local and
// unique-local ones only when the site allows them (IPv4, IPv6, IPv4 inside IPv6); never unspecified,
// multicast or reserved ones, nor the server itself. And the back-off between attempts.

import { describe, expect, it } from 'vitest';
import { TandemError } from '../refusal.ts';
import { addressKind, canonicalAddress, checkWebhookAddress, type WebhookAddressPolicy } from './webhookAddress.ts';
import { webhookBackoffMs } from './webhookDelivery.ts';

describe('webhook addresses', () => {
	it.each([
		['93.184.215.14', 'public'],
		['8.8.8.8', 'public'],
		['2606:4700::1111', 'public'],
		['127.0.0.1', 'private'],
		['127.255.0.9', 'private'],
		['10.1.2.3', 'private'],
		['172.16.0.1', 'private'],
		['172.31.255.255', 'private'],
		['172.32.0.1', 'public'],
		['192.168.1.1', 'private'],
		['169.254.169.254', 'private'],
		['100.64.0.1', 'private'],
		['::1', 'private'],
		['fe80::1', 'private'],
		['fe80::1%eth0', 'private'],
		['fd12:3456::1', 'private'],
		['::ffff:127.0.0.1', 'private'],
		['::ffff:7f00:1', 'private'],
		['::ffff:10.0.0.1', 'private'],
		['::ffff:8.8.8.8', 'public'],
		['64:ff9b::a9fe:a9fe', 'private'],
		['0.0.0.0', 'unusable'],
		['0.1.2.3', 'unusable'],
		['::', 'unusable'],
		['::127.0.0.1', 'unusable'],
		['224.0.0.1', 'unusable'],
		['239.255.255.250', 'unusable'],
		['255.255.255.255', 'unusable'],
		['ff02::1', 'unusable'],
		['192.0.2.10', 'unusable'],
		['2001:db8::1', 'unusable'],
	] as const)('%s is %s', (address, kind) => {
		expect(addressKind(address)).toBe(kind);
	});

	it('spells each address one way', () => {
		expect(canonicalAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
		expect(canonicalAddress('::ffff:7f00:1')).toBe('127.0.0.1');
		expect(canonicalAddress('::1')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
		expect(canonicalAddress('FE80::1')).toBe(canonicalAddress('fe80:0:0:0:0:0:0:1'));
	});

	const strict: WebhookAddressPolicy = { allowPrivate: false, ownOrigins: ['https://tandem.example.com', 'http://127.0.0.1:3000'] };
	const open: WebhookAddressPolicy = { ...strict, allowPrivate: true };
	const refusal = async (url: string, policy: WebhookAddressPolicy) => {
		try {
			return (await checkWebhookAddress(url, policy)).href;
		} catch (error) {
			if (error instanceof TandemError) return error.code;
			throw error;
		}
	};

	it.each([
		['ftp://8.8.8.8/events', 'webhookUrlNotHttp'],
		['javascript:alert(1)', 'webhookUrlNotHttp'],
		['file:///etc/passwd', 'webhookUrlNotHttp'],
		['not a url', 'webhookUrlInvalid'],
		['', 'webhookUrlInvalid'],
		[`https://8.8.8.8/${'a'.repeat(2_000)}`, 'webhookUrlInvalid'],
		['https://user:secret@8.8.8.8/events', 'webhookUrlCredentials'],
		['http://127.0.0.1:8080/events', 'webhookPrivateAddress'],
		['http://localhost:8080/events', 'webhookPrivateAddress'],
		['http://[::1]:8080/events', 'webhookPrivateAddress'],
		['http://[::ffff:127.0.0.1]/events', 'webhookPrivateAddress'],
		['http://169.254.169.254/latest/meta-data', 'webhookPrivateAddress'],
		['http://no-such-host.invalid/events', 'webhookHostUnknown'],
		['https://tandem.example.com/console/api/trpc', 'webhookOwnServer'],
		['http://8.8.8.8/events#part', 'http://8.8.8.8/events'],
	])('%s (private addresses refused): %s', async (url, expected) => {
		expect(await refusal(url, strict)).toBe(expected);
	});

	it.each([
		['http://127.0.0.1:8080/events', 'http://127.0.0.1:8080/events'],
		['http://localhost:8080/events', 'http://localhost:8080/events'],
		['http://127.0.0.1:3000/hook', 'webhookOwnServer'],
		['http://localhost:3000/hook', 'webhookOwnServer'],
		['http://127.0.0.2:3000/hook', 'webhookOwnServer'],
		['http://0.0.0.0:3000/hook', 'webhookPrivateAddress'],
		['http://[ff02::1]/hook', 'webhookPrivateAddress'],
	])('%s (private addresses allowed): %s', async (url, expected) => {
		expect(await refusal(url, open)).toBe(expected);
	});
});

describe('webhook back-off', () => {
	it('waits 1 s after the first failure, doubling, at most 5 min', () => {
		expect([1, 2, 3, 4, 9, 10, 50].map(webhookBackoffMs)).toEqual([1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000]);
	});
});
