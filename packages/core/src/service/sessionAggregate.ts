// The support session as the command runner knows it: how it is loaded and projected, who the actor is,
// and — in one place per command — what each command needs beyond the session itself: the reps whose
// limits it touches (lock keys) and the loads `decide` requires (SessionInputs).

import type { AggregateType, CommandNeeds } from '../aggregate/runner.ts';
import { refuse } from '../refusal.ts';
import { decide } from '../session/decide.ts';
import { evolve } from '../session/evolve.ts';
import type { Actor, Command, CommandOf, CommandType, InputsOf, RefusalCode, SessionEvent, SessionState } from '../session/model.ts';
import { loadQueue, readAgentStates } from './acdAggregates.ts';
import { readAgentLoad, readRepLoad, readSiteSettings, type Tx } from './repLoad.ts';
import { fileSizeLimitBytes } from '../session/fileNames.ts';
import { loadSession, projectSession, type EventSecrets } from './sessionStore.ts';

/** Who is asking, as the API knows them (the runner looks up the rest). */
export type ActorRef =
	{ kind: 'rep'; repId: string } | { kind: 'customer'; participantId: string | null } | { kind: 'anonymous' } | { kind: 'system' };

type Needs<K extends CommandType> = CommandNeeds<SessionState, CommandOf<K>, ActorRef, InputsOf<K>>;

const repKey = (repId: string) => `rep:${repId}`;
/** The acting rep's own limits are touched by whatever they do in a session (start, assist, transfer). */
const actorKeys = (actor: ActorRef): string[] => (actor.kind === 'rep' ? [repKey(actor.repId)] : []);
const controllerRepOf = (state: SessionState | null) => state?.participants.find((p) => p.id === state.controllerId)?.repId ?? null;
const repOf = (state: SessionState | null, participantId: string) => state?.participants.find((p) => p.id === participantId)?.repId ?? null;

/** The site's file size limit, read under the session's lock with the command (SPEC §9). */
const fileSizeLimit = async (tx: Tx) => ({ fileSizeLimit: fileSizeLimitBytes((await readSiteSettings(tx)).fileSizeLimitMb) });

/** A command that needs nothing beyond the session and its actor. */
const plain: Needs<CommandType> = { locks: (_s, _c, actor) => actorKeys(actor), inputs: async () => ({}) };

export const sessionCommands: { [K in CommandType]: Needs<K> } = {
	start: plain,
	assist: plain,
	// A customer joining counts against the controlling rep's maximum customers (SPEC §5).
	joinAsCustomer: {
		locks: (state, _c, actor) => {
			const controller = controllerRepOf(state);
			return [...actorKeys(actor), ...(controller ? [repKey(controller)] : [])];
		},
		inputs: async (tx, state) => {
			const controller = controllerRepOf(state);
			return { controllerLoad: controller ? await readRepLoad(tx, controller) : null };
		},
	},
	// Control goes to a rep whose session mode and maximum customers must allow it (SPEC §2, §5, §6).
	transferControl: {
		locks: (state, command, actor) => {
			const target = repOf(state, command.to);
			return [...actorKeys(actor), ...(target ? [repKey(target)] : [])];
		},
		inputs: async (tx, state, command) => {
			const target = repOf(state, command.to);
			return { targetLoad: target ? await readRepLoad(tx, target) : null };
		},
	},
	focusCustomer: plain,
	postChat: plain,
	requestTranscript: plain,
	recordTranscriptMail: plain,
	answerSurvey: plain,
	drawMark: plain,
	clearMarks: plain,
	point: plain,
	leave: plain,
	removeParticipant: plain,
	end: plain,
	startActivity: plain,
	stopActivity: plain,
	sendMedia: plain,
	mediaEnded: plain,
	reportMediaLost: plain,
	recordMediaFailure: plain,
	endForLostConsole: plain,
	createInvitation: plain,
	recordInvitationMail: plain,
	revokeInvitation: plain,
	// Get help names a queue that must be there and open to customers (SPEC §8).
	requestHelp: {
		locks: () => [],
		inputs: async (tx, _state, command) => {
			const queue = await loadQueue(tx, command.queueId);
			return { queue: queue && !queue.removed ? { id: queue.id, name: queue.name, openToCustomers: queue.openToCustomers } : null };
		},
	},
	offerSession: plain,
	// Accepting touches the agent's load: serialised with everything else they do, capacity read under the lock.
	acceptOffer: {
		locks: (_s, _c, actor) => actorKeys(actor),
		inputs: async (tx, _state, _command, actor) => ({ agentLoad: actor.kind === 'rep' ? await readAgentLoad(tx, actor.repId) : null }),
	},
	declineOffer: plain,
	expireOffer: plain,
	// Where it goes: the queue must be there; each chosen agent must be an agent and not away (SPEC §7).
	transferSession: {
		locks: (_s, _c, actor) => actorKeys(actor),
		inputs: async (tx, _state, command) => {
			const queue = command.queueId ? await loadQueue(tx, command.queueId) : null;
			return {
				targetQueue: queue && !queue.removed ? { id: queue.id, name: queue.name } : null,
				targetAgents: await readAgentStates(tx, command.agents),
			};
		},
	},
	nextRound: plain,
	offerFile: { locks: (_s, _c, actor) => actorKeys(actor), inputs: fileSizeLimit },
	acceptFile: plain,
	uploadFile: { locks: (_s, _c, actor) => actorKeys(actor), inputs: fileSizeLimit },
	fileUploaded: plain,
	cancelFile: plain,
	expireFile: plain,
};

async function actorOf(tx: Tx, ref: ActorRef): Promise<Actor> {
	if (ref.kind !== 'rep') return ref;
	const rep = await readRepLoad(tx, ref.repId);
	if (!rep) return refuse('notSignedIn');
	return { kind: 'rep', rep };
}

export function actorLabel(actor: ActorRef): string {
	switch (actor.kind) {
		case 'rep':
			return `rep:${actor.repId}`;
		case 'customer':
			return `customer:${actor.participantId ?? 'new'}`;
		default:
			return actor.kind;
	}
}

export const sessionAggregate: AggregateType<SessionState, Command, SessionEvent, ActorRef, Actor, RefusalCode, EventSecrets> = {
	kind: 'session',
	load: loadSession,
	actor: actorOf,
	needs: (command) => sessionCommands[command.type] as CommandNeeds<SessionState, Command, ActorRef, object>,
	decide: (state, command, actor, ctx) => decide(state, command, actor, ctx),
	evolve,
	idOf: (state) => state.id,
	project: projectSession,
	actorLabel,
};
