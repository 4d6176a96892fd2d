import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { browserAvailable, bundleModules, launchChromium } from '@combat/test-support';

/**
 * CombatThreads in Chromium: a page served with the cross-origin isolation headers gets shared
 * memory and runs the work on module Web Workers (the worker is worker.ts bundled on its own,
 * found next to the page's bundle as the build's worker.js is next to threads.js); a page
 * without them is refused with a TypeError naming the headers.
 */

/** The page's module: runs core and the threads on the same data and hands back what to compare. */
const PAGE = fileURLToPath(new URL('./browser-page.ts', import.meta.url));
const WORKER = fileURLToPath(new URL('../src/worker.ts', import.meta.url));
/** What workerpool requires only under Node (behind its own platform checks): left out of a browser bundle, as the README tells bundler users. */
const NODE_ONLY = ['worker_threads', 'os', 'child_process'];

let server: Server;
let origin: string;

beforeAll(async () => {
  const bundles = await bundleModules({ '/threads.js': PAGE, '/worker.js': WORKER }, NODE_ONLY);
  // Everything under /isolated/ is served with the cross-origin isolation headers, under /plain/
  // without; under /blocked/ all but the worker's script, which the page then may not load.
  server = createServer((request, response) => {
    const [, folder, file] = /^\/(isolated|plain|blocked)\/(.*)$/.exec(request.url ?? '') ?? [];
    const isolated = folder === 'isolated' || (folder === 'blocked' && file !== 'worker.js');
    const headers = isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {};
    const bundle = bundles[`/${file}`];
    if (file === '') {
      response.writeHead(200, { 'Content-Type': 'text/html', ...headers });
      response.end('<!doctype html><title>threads</title><link rel="icon" href="data:,">');
    } else if (folder !== undefined && bundle !== undefined) {
      response.writeHead(200, { 'Content-Type': 'text/javascript', ...headers });
      response.end(bundle);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve()))));

/** What the page's module reports (see browser-page.ts). */
interface PageReport {
  readonly isolated: boolean;
  readonly shared?: boolean;
  readonly sameData?: boolean;
  readonly sameStars?: boolean;
  readonly sample?: number;
  readonly found?: { readonly name: string; readonly message: string; readonly sample?: number; readonly feature?: number };
  readonly expected?: PageReport['found'];
  readonly error?: PageReport['found'];
}

/** Loads the page from `folder` (see the server) and runs the module's check there. */
async function runPage(folder: 'isolated' | 'plain' | 'blocked', check: 'harmonize' | 'worker-error'): Promise<PageReport> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // The blocked worker's script is reported on the console, as it should be.
    page.on('console', (message) => (message.type() === 'error' && folder !== 'blocked' ? problems.push(message.text()) : undefined));
    await page.goto(`${origin}/${folder}/`);
    await page.addScriptTag({ url: `${origin}/${folder}/threads.js`, type: 'module' });
    await page.waitForFunction(() => 'threadsCheck' in globalThis);
    const report = await page.evaluate((name) => (globalThis as unknown as { threadsCheck(name: string): Promise<PageReport> }).threadsCheck(name), check);
    expect(problems).toEqual([]);
    return report;
  } finally {
    await browser.close();
  }
}

describe.skipIf(!browserAvailable)('CombatThreads in Chromium', () => {
  test('a cross-origin isolated page harmonizes on Web Workers, core\u2019s values bit for bit', async () => {
    const report = await runPage('isolated', 'harmonize');
    expect(report).toEqual({ isolated: true, shared: true, sameData: true, sameStars: true });
  });

  test('an error found on a Web Worker comes back as core\u2019s class, naming its sample and its column in the whole matrix', async () => {
    const report = await runPage('isolated', 'worker-error');
    expect(report.sample).toBeGreaterThanOrEqual(0);
    expect(report.expected).toMatchObject({ name: 'InvalidValueError', sample: report.sample, feature: 29 });
    expect(report.found).toEqual(report.expected);
  });

  test('a page without cross-origin isolation is refused with the headers it needs', async () => {
    const report = await runPage('plain', 'harmonize');
    expect(report.isolated).toBe(false);
    expect(report.error?.name).toBe('TypeError');
    expect(report.error?.message).toMatch(/cross-origin isolated page.*COOP\/COEP.*threads: 1/);
  });

  test('a worker whose script the page may not load fails the call with what to check, and close() still returns', async () => {
    const report = await runPage('blocked', 'harmonize');
    expect(report.isolated).toBe(true);
    expect(report.error?.message).toMatch(/^CombatThreads: a worker stopped without answering \(.*\); its script \(worker\.js beside threads\.js\) must load as a module, served with the page's Cross-Origin-Embedder-Policy header$/);
  });
});
