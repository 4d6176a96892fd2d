import { describeExamples } from '@combat/test-support';

await describeExamples(new URL('..', import.meta.url), { context: new URL('./examples-context.ts', import.meta.url) });
