import type { Browser, Page } from 'playwright-core';

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
