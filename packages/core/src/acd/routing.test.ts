// Routing and the line as tables (SPEC §7, §8), like the session rules: agent state and capacity, the order
// of the line, the estimated wait, and who gets offered what under each rule — with agents available, busy,
// away, at capacity, already offered, or past whom routing has moved (declined, expired). Then properties
// over random queues: never an offer to an agent without room, away or busy, or twice the same.

import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { AgentView, Handover, QueueState, RoutingRule, WaitingSession } from './model.ts';
import { agentCapacity, agentState, estimatedWaitMs, line, positionOf, route, waitWords } from './routing.ts';

const MIN = 60_000;

const agent = (repId: string, over: Partial<AgentView> = {}): AgentView => ({
	repId,
	state: 'available',
	load: 0,
	capacity: 1,
	idleSince: 0,
	offersOut: 0,
	...over,
});

const handover = (over: Partial<Handover> = {}): Handover => ({
	origin: 'getHelp',
	queueId: 'q',
	agents: null,
	round: 1,
	ahead: false,
	since: 0,
	firstSince: 0,
	message: null,
	problem: 'printer',
	email: null,
	fromName: null,
	offers: [],
	passedBy: [],
	fellBack: false,
	...over,
});

const waiting = (sessionId: string, over: Partial<Handover> = {}): WaitingSession => ({ sessionId, handover: handover(over) });
const offer = (repId: string) => ({ id: `o-${repId}`, repId, madeAt: 0, expiresAt: 30_000 });
const queue = (
	routing: RoutingRule,
	members: string[],
	lastOfferedTo: string | null = null,
): Pick<QueueState, 'members' | 'routing' | 'lastOfferedTo'> => ({
	routing,
	members,
	lastOfferedTo,
});
const shown = (offers: { sessionId: string; repId: string }[]) => offers.map((o) => `${o.sessionId}→${o.repId}`);

describe('agent state', () => {
	it.each([
		['available', true, 0, 1, 'available'],
		['available', true, 1, 1, 'busy'], // busy by itself at capacity
		['available', true, 1, 2, 'available'],
		['busy', true, 0, 1, 'busy'],
		['away', true, 0, 1, 'away'],
		['available', false, 0, 1, 'away'], // signed out (no console): away
		['busy', false, 1, 1, 'away'],
	] as const)('chosen %s, signed in %s, %i of %i sessions → %s', (chosen, signedIn, load, capacity, expected) => {
		expect(agentState(chosen, signedIn, load, capacity)).toBe(expected);
	});

	it.each([
		[null, 1, 5, 'multi', 1], // the site's default
		[3, 1, 5, 'multi', 3], // their own
		[8, 1, 5, 'multi', 5], // never above the site's maximum sessions per rep
		[3, 2, 5, 'single', 1], // one in single-session mode
		[0, 1, 5, 'multi', 1],
	] as const)('capacity: own %s, site default %i, maximum %i, %s mode → %i', (own, siteDefault, max, mode, expected) => {
		expect(agentCapacity(own, siteDefault, max, mode)).toBe(expected);
	});
});

describe('the line', () => {
	const w = [
		waiting('new-2', { since: 20 }),
		waiting('transferred-2', { since: 30, ahead: true }),
		waiting('new-1', { since: 10 }),
		waiting('transferred-1', { since: 25, ahead: true }),
	];

	it('puts transferred sessions first, each group in arrival order; positions count from 1', () => {
		expect(line(w).map((x) => x.sessionId)).toEqual(['transferred-1', 'transferred-2', 'new-1', 'new-2']);
		expect(positionOf(w, 'new-1')).toBe(3);
		expect(positionOf(w, 'transferred-1')).toBe(1);
		expect(positionOf(w, 'elsewhere')).toBeNull();
	});

	it('moves everyone behind up when one leaves', () => {
		const after = w.filter((x) => x.sessionId !== 'transferred-1');
		expect(positionOf(after, 'new-1')).toBe(2);
		expect(positionOf(after, 'new-2')).toBe(3);
	});

	it.each([
		[1, [], 1, 5 * MIN], // no history yet: 5 minutes a customer
		[3, [], 1, 15 * MIN],
		[3, [], 3, 5 * MIN], // three members not away share the line
		[2, [2 * MIN, 4 * MIN], 2, 3 * MIN], // mean of the queue's own handling times
		[1, [20_000], 1, 20_000],
		[4, [], 0, null], // every member away or signed out: no number
	] as const)('estimated wait: place %i, handling %j, %i members not away → %s ms', (position, handling, members, expected) => {
		expect(estimatedWaitMs(position, handling, members)).toBe(expected);
	});

	it.each([
		[null, { kind: 'noAgent' }],
		[20_000, { kind: 'lessThanMinute' }],
		[59_999, { kind: 'lessThanMinute' }],
		[89_999, { kind: 'minutes', minutes: 1 }],
		[3 * MIN + 10_000, { kind: 'minutes', minutes: 3 }],
		[150_000, { kind: 'minutes', minutes: 3 }],
	] as const)('a wait of %s ms is told as %j', (ms, words) => {
		expect(waitWords(ms)).toEqual(words);
	});
});

describe('routing', () => {
	const rows: {
		name: string;
		queue: Pick<QueueState, 'members' | 'routing' | 'lastOfferedTo'> | null;
		waiting: WaitingSession[];
		agents: AgentView[];
		expect: string[];
	}[] = [
		// ------------------------------------------------------------ most idle
		{
			name: 'most idle: the member without a session the longest',
			queue: queue('mostIdle', ['a', 'b', 'c']),
			waiting: [waiting('s1')],
			agents: [agent('a', { idleSince: 300 }), agent('b', { idleSince: 100 }), agent('c', { idleSince: 200 })],
			expect: ['s1→b'],
		},
		{
			name: 'most idle: a member with no session before one who has some',
			queue: queue('mostIdle', ['a', 'b']),
			waiting: [waiting('s1')],
			agents: [agent('a', { idleSince: 0, load: 1, capacity: 2 }), agent('b', { idleSince: 500 })],
			expect: ['s1→b'],
		},
		{
			name: 'most idle: busy, away and full members are passed over',
			queue: queue('mostIdle', ['a', 'b', 'c', 'd']),
			waiting: [waiting('s1')],
			agents: [
				agent('a', { state: 'busy', idleSince: 0 }),
				agent('b', { state: 'away', idleSince: 0 }),
				agent('c', { offersOut: 1, idleSince: 0 }), // its one place holds an offer already
				agent('d', { idleSince: 900 }),
			],
			expect: ['s1→d'],
		},
		{
			name: 'most idle: one agent at a time — a session already offered waits for the answer',
			queue: queue('mostIdle', ['a', 'b']),
			waiting: [waiting('s1', { offers: [offer('a')] })],
			agents: [agent('a', { offersOut: 1 }), agent('b')],
			expect: [],
		},
		{
			name: 'most idle: after a decline or an expiry, the next member',
			queue: queue('mostIdle', ['a', 'b', 'c']),
			waiting: [waiting('s1', { passedBy: ['a'] })],
			agents: [agent('a', { idleSince: 0 }), agent('b', { idleSince: 200 }), agent('c', { idleSince: 100 })],
			expect: ['s1→c'],
		},
		{
			name: 'most idle: head of the line first, then the next session to the next agent',
			queue: queue('mostIdle', ['a', 'b']),
			waiting: [waiting('new', { since: 5 }), waiting('transferred', { since: 9, ahead: true })],
			agents: [agent('a', { idleSince: 1 }), agent('b', { idleSince: 2 })],
			expect: ['transferred→a', 'new→b'],
		},
		{
			name: 'most idle: nobody with room: nothing now',
			queue: queue('mostIdle', ['a']),
			waiting: [waiting('s1')],
			agents: [agent('a', { load: 1 })],
			expect: [],
		},
		{
			name: 'capacity 2: an agent with one session is offered another',
			queue: queue('mostIdle', ['a']),
			waiting: [waiting('s1'), waiting('s2', { since: 1 })],
			agents: [agent('a', { load: 1, capacity: 2 })],
			expect: ['s1→a'],
		},
		{
			name: 'a member who is not in the queue is never offered its sessions',
			queue: queue('mostIdle', ['a']),
			waiting: [waiting('s1')],
			agents: [agent('a', { state: 'away' }), agent('outsider')],
			expect: [],
		},
		// ------------------------------------------------------------ round robin
		{
			name: 'round robin: the next member after the one last offered',
			queue: queue('roundRobin', ['a', 'b', 'c'], 'a'),
			waiting: [waiting('s1')],
			agents: [agent('a'), agent('b'), agent('c')],
			expect: ['s1→b'],
		},
		{
			name: 'round robin: it wraps round, and skips who cannot take it',
			queue: queue('roundRobin', ['a', 'b', 'c'], 'b'),
			waiting: [waiting('s1')],
			agents: [agent('a'), agent('b'), agent('c', { state: 'away' })],
			expect: ['s1→a'],
		},
		{
			name: 'round robin: several waiting sessions go round the members',
			queue: queue('roundRobin', ['a', 'b', 'c'], null),
			waiting: [waiting('s1'), waiting('s2', { since: 1 }), waiting('s3', { since: 2 })],
			agents: [agent('a'), agent('b'), agent('c')],
			expect: ['s1→a', 's2→b', 's3→c'],
		},
		{
			name: 'round robin: past who declined',
			queue: queue('roundRobin', ['a', 'b', 'c'], 'a'),
			waiting: [waiting('s1', { passedBy: ['b'] })],
			agents: [agent('a'), agent('b'), agent('c')],
			expect: ['s1→c'],
		},
		// ------------------------------------------------------------ everybody
		{
			name: 'everybody: every available member at once',
			queue: queue('everybody', ['a', 'b', 'c']),
			waiting: [waiting('s1')],
			agents: [agent('a'), agent('b', { state: 'busy' }), agent('c')],
			expect: ['s1→a', 's1→c'],
		},
		{
			name: 'everybody: a member who comes back is offered it too; who is offered already is not again',
			queue: queue('everybody', ['a', 'b']),
			waiting: [waiting('s1', { offers: [offer('a')] })],
			agents: [agent('a', { offersOut: 1, capacity: 2 }), agent('b')],
			expect: ['s1→b'],
		},
		{
			name: 'everybody: an agent with room for one is not offered the second session too',
			queue: queue('everybody', ['a']),
			waiting: [waiting('s1'), waiting('s2', { since: 1 })],
			agents: [agent('a')],
			expect: ['s1→a'],
		},
		// ------------------------------------------------------------ chosen agents (a transfer to agents, no queue)
		{
			name: 'chosen agents: each of them, at once',
			queue: null,
			waiting: [waiting('s1', { queueId: null, agents: ['a', 'b'], origin: 'transfer' })],
			agents: [agent('a'), agent('b'), agent('c')],
			expect: ['s1→a', 's1→b'],
		},
		{
			name: 'chosen agents: one who let it expire this round is not offered it again this round',
			queue: null,
			waiting: [waiting('s1', { queueId: null, agents: ['a', 'b'], origin: 'transfer', passedBy: ['a'] })],
			agents: [agent('a'), agent('b')],
			expect: ['s1→b'],
		},
	];

	it.each(rows)('$name', (row) => {
		expect(shown(route(row.queue, row.waiting, row.agents))).toEqual(row.expect);
	});
});

describe('routing, over random queues', () => {
	const arbitraryCase = fc
		.record({
			routing: fc.constantFrom<RoutingRule>('mostIdle', 'roundRobin', 'everybody'),
			agents: fc.uniqueArray(
				fc.record({
					repId: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
					state: fc.constantFrom<AgentView['state']>('available', 'busy', 'away'),
					load: fc.nat(3),
					capacity: fc.integer({ min: 1, max: 3 }),
					idleSince: fc.nat(1000),
					offersOut: fc.nat(2),
				}),
				{ selector: (a) => a.repId, maxLength: 5 },
			),
			waiting: fc.uniqueArray(
				fc.record({
					sessionId: fc.constantFrom('s1', 's2', 's3', 's4'),
					since: fc.nat(100),
					ahead: fc.boolean(),
					offered: fc.subarray(['a', 'b', 'c', 'd', 'e']),
					passedBy: fc.subarray(['a', 'b', 'c', 'd', 'e']),
				}),
				{ selector: (w) => w.sessionId, maxLength: 4 },
			),
		})
		.map(({ routing, agents, waiting: w }) => ({
			queue: queue(
				routing,
				agents.map((a) => a.repId),
			),
			agents,
			waiting: w.map((x) => waiting(x.sessionId, { since: x.since, ahead: x.ahead, offers: x.offered.map(offer), passedBy: x.passedBy })),
		}));

	it('never offers to an agent who is busy or away, beyond their room, twice, or past whom it moved', () => {
		fc.assert(
			fc.property(arbitraryCase, ({ queue: q, agents, waiting: w }) => {
				const offers = route(q, w, agents);
				for (const a of agents) {
					const mine = offers.filter((o) => o.repId === a.repId);
					if (a.state !== 'available') expect(mine).toEqual([]);
					expect(mine.length).toBeLessThanOrEqual(Math.max(0, a.capacity - a.load - a.offersOut));
				}
				for (const o of offers) {
					const h = w.find((x) => x.sessionId === o.sessionId)!.handover;
					expect(h.passedBy).not.toContain(o.repId);
					expect(h.offers.map((x) => x.repId)).not.toContain(o.repId);
				}
				expect(new Set(offers.map((o) => `${o.sessionId}/${o.repId}`)).size).toBe(offers.length);
			}),
			{ seed: 8, numRuns: 500 },
		);
	});

	it('one agent at a time under most idle and round robin; a session waiting with nobody offered has nobody with room', () => {
		fc.assert(
			fc.property(arbitraryCase, ({ queue: q, agents, waiting: w }) => {
				const offers = route(q, w, agents);
				if (q.routing !== 'everybody') {
					for (const s of w) {
						const made = offers.filter((o) => o.sessionId === s.sessionId).length;
						expect(made + s.handover.offers.length <= 1 || made === 0).toBe(true);
					}
				}
				// Work conserving: an eligible agent left idle means every session already has its offer(s).
				const room = new Map<string, number>(
					agents.filter((a) => a.state === 'available').map((a) => [a.repId, a.capacity - a.load - a.offersOut]),
				);
				for (const o of offers) room.set(o.repId, room.get(o.repId)! - 1);
				for (const s of w) {
					const stillFree = [...room].filter(
						([repId, n]) =>
							n > 0 &&
							!s.handover.passedBy.includes(repId) &&
							!s.handover.offers.some((x) => x.repId === repId) &&
							!offers.some((o) => o.sessionId === s.sessionId && o.repId === repId),
					);
					const hasOffer = s.handover.offers.length > 0 || offers.some((o) => o.sessionId === s.sessionId);
					if (q.routing !== 'everybody') expect(hasOffer || stillFree.length === 0).toBe(true);
					else expect(stillFree).toEqual([]);
				}
			}),
			{ seed: 9, numRuns: 500 },
		);
	});
});
