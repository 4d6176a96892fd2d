import { describeExamples } from '@combat/test-support';

// The CLI exports nothing (only a bin), so every module is internal: this checks that no @example
// is left in src/, where nothing would run it.
await describeExamples(new URL('..', import.meta.url));
