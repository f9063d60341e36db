export * from './session/model.ts';
export { decide, startRefusal } from './session/decide.ts';
export { evolve, replay } from './session/evolve.ts';
export * from './session/sessionNumber.ts';
export { viewFor, describeEvent, type SessionView, type FeedEvent, type Viewer } from './feed/views.ts';
export { TandemError, type ErrorCode } from './refusal.ts';
export { chainHash, verifyChain } from './audit/chain.ts';
