import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { harmonize } from '@combat/core';
import { diagnose } from '@combat/diagnostics';
import { renderReport } from '@combat/report';
import { exampleStudy } from '@combat/test-support';
import { describe, expect, it } from 'vitest';

/** The page's Content-Security-Policy, as its meta tag states it. */
async function pagePolicy(): Promise<Map<string, string[]>> {
  const html = await readFile(new URL('../index.html', import.meta.url), 'utf8');
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1];
  if (content === undefined) throw new Error('index.html has no Content-Security-Policy meta');
  return new Map(content.split(';').map((part) => part.trim().split(/\s+/)).map(([name, ...values]) => [name as string, values]));
}

describe('the page\u2019s Content-Security-Policy', () => {
  it('requests nothing but the page\u2019s own origin, and no plugin', async () => {
    const policy = await pagePolicy();
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    for (const [name, values] of policy) for (const value of values) expect(`${name} ${value}`).not.toMatch(/https?:|\*|'unsafe-eval'/);
  });

  it('allows the report\u2019s inline script by its hash (the report\u2019s sandboxed frame inherits the page\u2019s policy), and no other inline script', async () => {
    const { matrix, covariates } = exampleStudy();
    const { data, model } = harmonize(matrix, covariates);
    const report = await renderReport(diagnose(matrix, { ...matrix, data }, covariates, model), { version: '0', date: new Date(0), command: ['combat'], mode: '', options: [], inputs: [], outputs: [] });
    const hashes = [...report.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => `'sha256-${createHash('sha256').update(match[1] as string).digest('base64')}'`);
    expect(hashes.length).toBeGreaterThan(0);
    expect((await pagePolicy()).get('script-src')).toEqual(["'self'", ...hashes]);
  });
});
