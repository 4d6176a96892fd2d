import { defineConfig } from 'vitest/config';

/**
 * One vitest run for the whole workspace, in three projects. The `source` export condition makes
 * every `@combat/*` import in the packages' tests resolve to the TypeScript sources, so they need
 * no build. The CLI's tests run the built `combat` executable as a user would, so their project
 * first builds it (turbo: a cached no-op when nothing changed); the web app's tests run its built
 * page in Chromium, so their project builds the app (and the CLI, which applies its model) first.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    // CI asks for a JSON report as well, to print the plain "N passed, N failed" line.
    reporters: process.env.VITEST_JSON_REPORT ? ['default', 'json'] : ['default'],
    outputFile: process.env.VITEST_JSON_REPORT ? { json: process.env.VITEST_JSON_REPORT } : undefined,
    testTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'packages', include: ['packages/*/test/**/*.test.ts', 'test-support/test/**/*.test.ts'] } },
      { extends: true, test: { name: 'cli', include: ['apps/cli/src/**/*.test.ts', 'apps/cli/test/**/*.test.ts'], globalSetup: ['apps/cli/test/build-cli.ts'] } },
      // The page's state is polled until it settles: 15 s, not vitest's 1 s, for a machine busy with other work.
      { extends: true, test: { name: 'web', include: ['apps/web/test/**/*.test.ts'], globalSetup: ['apps/web/test/build-web.ts'], expect: { poll: { timeout: 15_000 } } } },
    ],
  },
});
