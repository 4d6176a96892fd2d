import * as core from '@combat/core';
import { CombatError } from '@combat/core';

/** A worker's answer: the value, or the error it threw, as plain data. */
export type Outcome<T> = { readonly value: T } | { readonly error: SentError };

/** An error as it crosses from a worker: a combat error's class, detail and context, or a message. */
export interface SentError {
  readonly name: string;
  readonly detail: string;
  readonly sample?: number;
  readonly feature?: number;
  readonly remedy?: Readonly<Record<string, unknown>>;
}

/** Runs `task`, catching what it throws as a {@link SentError}. */
export function capture<T>(task: () => T): Outcome<T> {
  try {
    return { value: task() };
  } catch (error) {
    if (error instanceof CombatError) {
      const { name, detail, sample, feature, remedy } = error;
      return { error: { name, detail, ...(sample === undefined ? {} : { sample }), ...(feature === undefined ? {} : { feature }), ...(remedy === undefined ? {} : { remedy }) } };
    }
    return { error: { name: 'Error', detail: (error as Error)?.message ?? String(error) } };
  }
}

/** The value of an outcome, or the error it carries thrown again as its own class (core's errors). */
export function unwrap<T>(outcome: Outcome<T>): T {
  if ('value' in outcome) return outcome.value;
  const { name, detail, ...context } = outcome.error;
  const Class = (core as Record<string, unknown>)[name];
  if (typeof Class === 'function' && Class.prototype instanceof CombatError) {
    throw new (Class as new (detail: string, context: object) => CombatError)(detail, context);
  }
  throw new Error(detail);
}
