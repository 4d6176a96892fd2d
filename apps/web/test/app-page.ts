import { mkdir } from 'node:fs/promises';
import { launchChromium, temporaryFolder } from '@combat/test-support';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { serveApp } from './served-app.js';

/** What a file of browser tests shares: the served app's address, the folder its screenshots go to, and pages of the app. */
export interface AppSession {
  readonly url: string;
  readonly screens: string;
  /** A new page of the app ({@link openApp}). */
  open(): ReturnType<typeof openApp>;
}

/**
 * The set-up of a file of browser tests (call it in its `describe`): before its tests, the built
 * app served on 127.0.0.1 (vite preview), headless Chromium, and the screenshots' folder
 * (`COMBAT_WEB_SCREENSHOTS`, or a temporary one); after them, both closed. The session's fields
 * are there once the set-up has run (in the tests).
 */
export function appSession(): AppSession {
  let server: Awaited<ReturnType<typeof serveApp>> | undefined;
  let opened: { browser: Browser; screens: string } | undefined;
  const ready = (): { url: string; browser: Browser; screens: string } => {
    if (server === undefined || opened === undefined) throw new Error('the app session was used before its set-up ran: use it in the tests');
    return { url: server.url, ...opened };
  };
  beforeAll(async () => {
    server = await serveApp();
    const browser = await launchChromium();
    const screens = process.env.COMBAT_WEB_SCREENSHOTS ?? (await temporaryFolder('combat-web-screens'));
    await mkdir(screens, { recursive: true });
    opened = { browser, screens };
  });
  afterAll(async () => {
    await opened?.browser.close();
    await server?.close();
  });
  return {
    get url() {
      return ready().url;
    },
    get screens() {
      return ready().screens;
    },
    open: () => openApp(ready().browser, ready().url),
  };
}

/** A page of the served app that records every request, console error and uncaught error. */
export async function openApp(browser: Browser, url: string): Promise<{ page: Page; requests: string[]; errors: string[] }> {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, requests, errors };
}

/** The requests that left the page's origin (blob: downloads and the report's srcdoc frame stay on the machine). */
export function outside(requests: readonly string[], url: string): string[] {
  const origin = new URL(url).origin;
  return requests.filter((request) => !request.startsWith(`${origin}/`) && !/^(blob|data|about):/.test(request));
}

/** Clicks a download link and saves its file in `folder` under the name the page gave it; returns the path. */
export async function saveDownload(page: Page, testId: string, folder: string): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = `${folder}/${download.suggestedFilename()}`;
  await download.saveAs(path);
  return path;
}

/**
 * Drops files and folders of this machine on an element of the page as a user's drag would
 * (Chromium's DevTools protocol, `Input.dispatchDragEvent`): the page's drop handler gets real
 * entries, folders it can read with their readers.
 */
export async function dropPaths(page: Page, selector: string, paths: readonly string[]): Promise<void> {
  const target = page.locator(selector);
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (box === null) throw new Error(`${selector} is not shown: nothing to drop on`);
  const session = await page.context().newCDPSession(page);
  const at = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const data = { items: [], files: [...paths], dragOperationsMask: 1 };
  for (const type of ['dragEnter', 'dragOver', 'drop'] as const) await session.send('Input.dispatchDragEvent', { type, ...at, data });
  await session.detach();
}

/** The columns the table flow is given: the id (when there is one), the batch, the covariates and the features. */
export interface TableRoles {
  readonly id?: string;
  readonly batch: string;
  readonly categorical: readonly string[];
  readonly continuous: readonly string[];
  readonly features: readonly string[];
}

/** Once the chosen data table is read, picks the table flow's columns, runs it and waits for the harmonized table's download. */
export async function harmonizeTable(page: Page, roles: TableRoles): Promise<void> {
  await page.getByTestId('batch-column').locator(`option[value="${roles.batch}"]`).waitFor({ state: 'attached' });
  if (roles.id !== undefined) await page.getByTestId('id-column').selectOption(roles.id);
  await page.getByTestId('batch-column').selectOption(roles.batch);
  await page.getByTestId('categorical-columns').selectOption([...roles.categorical]);
  await page.getByTestId('continuous-columns').selectOption([...roles.continuous]);
  await page.getByTestId('features').selectOption([...roles.features]);
  await page.getByTestId('run').click();
  await page.getByTestId('download-table').waitFor({ state: 'visible' });
}
