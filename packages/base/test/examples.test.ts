import { describeExamples } from '@combat/test-support';

await describeExamples(new URL('..', import.meta.url));
