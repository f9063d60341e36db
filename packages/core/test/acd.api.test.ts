// WebACD's queues and agents through the real router (SPEC §8, §10): administrators make queues of agents,
// with names that are not taken; agents choose their state, which is away while they are signed out and
// busy by itself at capacity. Every change an administrator makes is in the one log.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { events } from '@tandem/db';
import { refusalOf, world, type Browser, type World } from './harness.ts';

describe.each(['pglite', 'postgres'] as const)('queues and agents on %s', (kind) => {
	let w: World;
	let ana: Browser;
	let ivo: Browser;
	let plain: Browser;
	const ids: Record<string, string> = {};
	const idOf = async (b: Browser) => (await (await b.api()).auth.status()).me!.id;

	beforeAll(async () => {
		w = await world(kind);
		ana = await w.rep('Ana', { sessionMode: 'multi' });
		ivo = await w.rep('Ivo');
		plain = await w.rep('Plain');
		const admin = await w.admin.api();
		for (const [name, b] of [
			['ana', ana],
			['ivo', ivo],
			['plain', plain],
		] as const) {
			ids[name] = await idOf(b);
			if (name !== 'plain') await admin.admin.updateRep({ id: ids[name]!, isAgent: true });
		}
	});
	afterAll(() => w?.close());

	const logOf = (aggregateKind: 'queue' | 'rep' | 'site', id: string) =>
		w.services.db
			.select({ type: events.type, actor: events.actor, payload: events.payload })
			.from(events)
			.where(and(eq(events.aggregateKind, aggregateKind), eq(events.aggregateId, id)))
			.orderBy(asc(events.seq));

	it('an administrator makes, changes and removes a queue of agents; each change is in the log', async () => {
		const admin = await w.admin.api();
		const adminId = await idOf(w.admin);
		const q = await admin.admin.createQueue({
			name: 'Printers',
			members: [ids.ana!, ids.ivo!],
			routing: 'roundRobin',
			openToCustomers: true,
		});
		expect(await admin.admin.queues()).toContainEqual(q);
		const changed = await admin.admin.updateQueue({ id: q.id, routing: 'everybody', members: [ids.ivo!] });
		expect(changed).toMatchObject({ routing: 'everybody', members: [ids.ivo], name: 'Printers' });
		await admin.admin.removeQueue({ id: q.id });
		expect((await admin.admin.queues()).some((x) => x.id === q.id)).toBe(false);
		expect(await refusalOf(admin.admin.updateQueue({ id: q.id, name: 'Back' }))).toBe('queueNotFound');
		expect((await logOf('queue', q.id)).map((e) => [e.type, e.actor])).toEqual([
			['queue.created', `rep:${adminId}`],
			['queue.changed', `rep:${adminId}`],
			['queue.removed', `rep:${adminId}`],
		]);
	});

	it('refuses a member who is not an agent, a name another queue has, and an empty name — changing nothing', async () => {
		const admin = await w.admin.api();
		await admin.admin.createQueue({ name: 'Billing', members: [ids.ana!], routing: 'mostIdle', openToCustomers: false });
		const before = await admin.admin.queues();
		expect(
			await refusalOf(admin.admin.createQueue({ name: 'Other', members: [ids.plain!], routing: 'mostIdle', openToCustomers: true })),
		).toBe('notAnAgent');
		expect(await refusalOf(admin.admin.createQueue({ name: '  billing ', members: [], routing: 'everybody', openToCustomers: true }))).toBe(
			'queueNameTaken',
		);
		expect(await refusalOf(admin.admin.createQueue({ name: '   ', members: [], routing: 'everybody', openToCustomers: true }))).toBe(
			'invalidInput',
		);
		expect(await refusalOf(admin.admin.createQueue({ name: 'Q', members: [], routing: 'fastest' as never, openToCustomers: true }))).toBe(
			'invalidInput',
		);
		expect(await admin.admin.queues()).toEqual(before);
		// Nobody but an administrator.
		expect(
			await refusalOf((await ana.api()).admin.createQueue({ name: 'Mine', members: [], routing: 'everybody', openToCustomers: true })),
		).toBe('forbidden');
	});

	it("an administrator's changes to accounts and settings are in the log, never a password", async () => {
		const admin = await w.admin.api();
		const adminId = await idOf(w.admin);
		await admin.admin.updateRep({ id: ids.ivo!, agentCapacity: 2 });
		await admin.admin.updateSettings({ offerTimeoutSeconds: 45 });
		const repLog = await logOf('rep', ids.ivo!);
		expect(repLog.map((e) => e.type)).toEqual(['rep.created', 'rep.changed', 'rep.changed']);
		expect(repLog.at(-1)).toMatchObject({ actor: `rep:${adminId}`, payload: { changes: { agentCapacity: 2 } } });
		expect(JSON.stringify(repLog)).not.toMatch(/password|argon2/i);
		expect((await logOf('site', 'settings')).at(-1)).toMatchObject({
			type: 'settings.changed',
			payload: { changes: { offerTimeoutSeconds: 45 } },
		});
	});

	it('an agent is away while signed out, chooses available or busy, and is busy by itself at capacity', async () => {
		const api = await ana.api();
		expect(await api.acd.me()).toMatchObject({ state: 'away', chosen: 'available', load: 0, capacity: 1 });
		const release = await w.services.lifeline.connected(ids.ana!, 'console-ana-1');
		expect(await api.acd.me()).toMatchObject({ state: 'available' });
		expect(await api.acd.setState({ state: 'busy' })).toMatchObject({ state: 'busy', chosen: 'busy' });
		expect(await api.acd.setState({ state: 'available' })).toMatchObject({ state: 'available' });
		// One session at a time (the site's default capacity): busy by itself while it lasts.
		const session = await api.session.start();
		expect(await api.acd.me()).toMatchObject({ state: 'busy', chosen: 'available', load: 1, capacity: 1 });
		await api.session.end({ sessionId: session.id });
		expect(await api.acd.me()).toMatchObject({ state: 'available', load: 0 });
		// Her own capacity, never above the site's maximum sessions.
		await (await w.admin.api()).admin.updateRep({ id: ids.ana!, agentCapacity: 99 }).catch(() => undefined);
		await (await w.admin.api()).admin.updateRep({ id: ids.ana!, agentCapacity: 50 });
		await (await w.admin.api()).admin.updateSettings({ maxSessionsPerRep: 3 });
		expect(await api.acd.me()).toMatchObject({ capacity: 3 });
		await api.acd.setState({ state: 'away' });
		expect(await api.acd.me()).toMatchObject({ state: 'away', awayReason: 'chosen' });
		await release();
	});

	it('an agent who signs out is away until they choose again; a console gone for good makes them away too', async () => {
		const api = await ivo.api();
		const release = await w.services.lifeline.connected(ids.ivo!, 'console-ivo-1');
		expect(await api.acd.setState({ state: 'available' })).toMatchObject({ state: 'available' });
		await w.services.acd.leftConsole(ids.ivo!); // what the lifeline does when the console is gone for good
		expect(await api.acd.me()).toMatchObject({ state: 'away', awayReason: 'signedOut' });
		expect(await api.acd.setState({ state: 'available' })).toMatchObject({ state: 'available' });
		await release();
		await api.auth.signOut();
		const again = w.browser();
		await (
			await again.api()
		).auth.signIn({ email: (await (await w.admin.api()).admin.reps()).find((r) => r.id === ids.ivo)!.email, password: 'rep-password' });
		expect(await (await again.api()).acd.me()).toMatchObject({ chosen: 'away', awayReason: 'signedOut' });
	});

	it('a rep who is no agent has no agent state and may not choose one', async () => {
		const api = await plain.api();
		expect(await api.acd.me()).toBeNull();
		expect(await refusalOf(api.acd.setState({ state: 'available' }))).toBe('notAnAgent');
		expect(await refusalOf(api.acd.setState({ state: 'asleep' as never }))).toBe('invalidInput');
	});
});
