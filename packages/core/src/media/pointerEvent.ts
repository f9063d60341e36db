// How a page's feed hands the remote pointer's moves (SPEC §9) to the shared screen they are over: a window
// event, so that the feed need not know which views are open. Its own module: the customer's first load
// carries this name and nothing of the stage.

export const POINTER_EVENT = 'tandem:pointer';

/** The feed's pointer item: whose shared screen, whose pointer, where (0–1), or null when it left. */
export interface PointerDetail {
	sessionId: string;
	share: string;
	name: string;
	x: number | null;
	y: number | null;
}
