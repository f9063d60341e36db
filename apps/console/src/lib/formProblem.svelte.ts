// What an admin form shows when the server refuses it: the words, and the field they are about — marked
// (aria-invalid, described by the words) and given the focus, so the admin sees at once what to change.

import { tick } from 'svelte';
import { formError, type FormError, type FormFields } from './errors.ts';

let forms = 0;

export class FormProblem {
	#current = $state<FormError | null>(null);
	/** The id of the element that shows the words (give it to the alert). */
	readonly id = `form-problem-${++forms}`;

	constructor(private readonly fields: FormFields) {}

	get text(): string {
		return this.#current?.text ?? '';
	}

	/** Shows the refusal; the field it names takes the focus (its input carries `field(name)`). */
	async show(error: unknown): Promise<void> {
		this.#current = formError(error, this.fields);
		const field = this.#current.field;
		if (!field) return;
		await tick();
		document.querySelector<HTMLElement>(`[aria-describedby~="${this.id}"][data-field="${field}"]`)?.focus();
	}

	clear(): void {
		this.#current = null;
	}

	/** A field's attributes: marked, and described by the words, while it is the one refused. */
	field(name: string): { 'data-field': string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string } {
		return this.#current?.field === name
			? { 'data-field': name, 'aria-invalid': 'true', 'aria-describedby': this.id }
			: { 'data-field': name };
	}
}
