export { bundleForBrowser, evaluateInChromium } from './browser-bundle.js';
export { CHROMIUM, browserAvailable, launchChromium } from './chromium.js';
export { expectClose } from './close.js';
export { readCsvFixture, type CsvTable } from './csv.js';
export { COMBAT_CASES, caseNames, loadCase, type CaseSpec, type FixtureCase } from './fixture-cases.js';
export { REPO_ROOT, fixturePath } from './fixtures.js';
export { random, selectRows, syntheticData, type SyntheticSpec } from './synthetic.js';
export { temporaryFolder } from './temporary.js';
export { describeExamples, type ExampleOptions } from './examples.js';
