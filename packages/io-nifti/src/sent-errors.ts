import { InputReadError, InvalidArgumentError, type ErrorContext } from '@combat/base';
import { NiftiFormatError, NiftiWriteError } from './errors.js';

/**
 * An error as it crosses from a worker: its class's name, its detail (for `NiftiFormatError`,
 * without the source), its context, and the file it concerns (`source` of a `NiftiFormatError`,
 * `path` and the system's error of an `InputReadError`).
 */
export interface SentError extends ErrorContext {
  readonly name: string;
  readonly detail: string;
  readonly file?: string;
  readonly cause?: { readonly message: string; readonly code?: string };
}

/** What a worker answers: the value, or the error it threw, as plain data. */
export type Outcome<T> = { readonly value: T } | { readonly error: SentError };

/** An error thrown in a worker as plain data (see {@link reviveError}). */
export function sendError(error: unknown): SentError {
  const context = (e: { sample?: number; feature?: number; remedy?: Readonly<Record<string, unknown>> }): ErrorContext => ({
    ...(e.sample === undefined ? {} : { sample: e.sample }),
    ...(e.feature === undefined ? {} : { feature: e.feature }),
    ...(e.remedy === undefined ? {} : { remedy: e.remedy }),
  });
  if (error instanceof NiftiFormatError) return { name: error.name, detail: error.detail.slice(error.source.length + 2), file: error.source, ...context(error) };
  if (error instanceof InputReadError) {
    const cause = error.cause as NodeJS.ErrnoException | undefined;
    return { name: error.name, detail: error.detail, file: error.path, cause: { message: cause?.message ?? String(cause), ...(typeof cause?.code === 'string' ? { code: cause.code } : {}) } };
  }
  if (error instanceof NiftiWriteError || error instanceof InvalidArgumentError) return { name: error.name, detail: error.detail, ...context(error) };
  return { name: 'Error', detail: (error as Error | undefined)?.message ?? String(error) };
}

/** The error a worker sent, as its own class again, with its message, file and context. */
export function reviveError(sent: SentError): Error {
  const { name, detail, file, cause, ...context } = sent;
  switch (name) {
    case 'NiftiFormatError':
      return new NiftiFormatError(file as string, detail, context);
    case 'InputReadError':
      return new InputReadError(file as string, Object.assign(new Error(cause?.message), cause?.code === undefined ? {} : { code: cause.code }));
    case 'NiftiWriteError':
      return new NiftiWriteError(detail, context);
    case 'InvalidArgumentError':
      return new InvalidArgumentError(detail, context);
    default:
      return new Error(detail);
  }
}
