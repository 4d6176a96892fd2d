import type { Page } from 'playwright-core';

/** Starts timing the gaps between the page's animation frames (what a user sees as the page freezing). */
export async function watchFrameGaps(page: Page): Promise<void> {
  // As text: tsx would wrap a named function in a helper the page lacks.
  await page.evaluate(`{
    const state = { last: performance.now(), longest: 0, on: true };
    globalThis.frameGaps = state;
    const tick = () => {
      const now = performance.now();
      state.longest = Math.max(state.longest, now - state.last);
      state.last = now;
      if (state.on) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }`);
}

/** Stops the timing {@link watchFrameGaps} started and gives the longest gap, in milliseconds. */
export async function longestFrameGap(page: Page): Promise<number> {
  return Number(await page.evaluate('globalThis.frameGaps.on = false, globalThis.frameGaps.longest'));
}
