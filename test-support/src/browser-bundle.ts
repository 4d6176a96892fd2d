import { build } from 'esbuild';
import { launchChromium } from './chromium.js';

/**
 * Bundles `entry` (module source that assigns what the page needs to `globalThis`) for the
 * browser, resolving `@combat/*` to their TypeScript sources. Bundling for the browser platform
 * fails on any Node built-in, so a passing bundle shows the code needs none.
 */
export async function bundleForBrowser(entry: string, resolveDir: string): Promise<string> {
  const result = await build({
    stdin: { contents: entry, resolveDir, loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    conditions: ['source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

/** Runs `script` in a blank page of headless Chromium, then `evaluate(argument)` there. */
export async function evaluateInChromium<A, R>(script: string, evaluate: (argument: A) => R | Promise<R>, argument: A): Promise<R> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addScriptTag({ content: script });
    // Playwright types the page's argument as Unboxed<A>, which is A for the plain JSON values used here.
    const result = await page.evaluate(evaluate as (argument: unknown) => R | Promise<R>, argument as unknown);
    if (errors.length > 0) throw new Error(`errors in the page: ${errors.join('; ')}`);
    return result;
  } finally {
    await browser.close();
  }
}

/**
 * Bundles each entry file as an ES module for the browser (a page's module script, a module
 * worker), resolving `@combat/*` to their TypeScript sources; returns each bundle's text by the
 * entry's key. `import.meta.url` stays the served bundle's address. `external` names modules
 * left out (required only on paths a browser never takes).
 */
export async function bundleModules(entries: Readonly<Record<string, string>>, external: readonly string[] = []): Promise<Record<string, string>> {
  const bundles: Record<string, string> = {};
  for (const [key, file] of Object.entries(entries)) {
    const result = await build({ entryPoints: [file], bundle: true, format: 'esm', platform: 'browser', conditions: ['source'], external: [...external], write: false, logLevel: 'silent' });
    bundles[key] = result.outputFiles[0]!.text;
  }
  return bundles;
}
