/**
 * Where the arrays a phase of the fit returns live: ordinary memory by default, shared memory
 * (a `SharedArrayBuffer`) when workers hand them on to one another without copies.
 */
export type Allocate = (bytes: number) => ArrayBufferLike;

/** Ordinary memory. */
export const allocateLocal: Allocate = (bytes) => new ArrayBuffer(bytes);
