/**
 * `pnpm bench` for the table commands: `combat harmonize` and `combat apply` on generated CSV
 * tables, each run of the built `combat` (dist/main.js) in a child process whose peak RSS it
 * reports on exit (and that of the launcher it runs the command from: src/heap-flags.ts). The
 * tables are written once into a cache folder outside the repository (`$COMBAT_BENCH_CACHE`, else the
 * system's temporary folder): 57 x 22,283 (the shape of a gene-expression study, about 20 MB,
 * also as Feather of one record batch), and 2,000 and 4,000 rows of 20,000 features (about 0.75 and 1.5 GB), whose
 * peak RSS should not grow with the rows. Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeArrowTable } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { random } from '../../../test-support/src/synthetic.js';

const CACHE = process.env.COMBAT_BENCH_CACHE ?? join(tmpdir(), 'combat-table-bench');
/** The built executable, from bench-dist/apps/cli/bench/. */
const COMBAT = fileURLToPath(new URL('../../../../dist/main.js', import.meta.url));
/** Loaded before `combat` in the child: prints the process's peak RSS on standard error as it exits. */
const PEAK = "process.on('exit', () => process.stderr.write(`\\npeak ${process.resourceUsage().maxRSS * 1024}\\n`));";
const SITES = ['siteA', 'siteB', 'siteC', 'siteD', 'siteE'];

interface Workload {
  readonly name: string;
  readonly rows: number;
  readonly features: number;
  /** Significant digits of each value. */
  readonly digits: number;
  readonly feather?: boolean;
}

const WORKLOADS: readonly Workload[] = [
  { name: 'expression', rows: 57, features: 22_283, digits: 14, feather: true },
  { name: 'wide-2000', rows: 2_000, features: 20_000, digits: 17 },
  { name: 'wide-4000', rows: 4_000, features: 20_000, digits: 17 },
];

/**
 * Writes a table (if not cached): subject, site, sex, age, then features g00001... with a site
 * shift and scale, an age slope and noise, written with `digits` significant digits (14: about 16
 * bytes a cell, 17: about 19).
 */
async function ensureTable(workload: Workload): Promise<string> {
  const path = join(CACHE, `${workload.name}.csv`);
  if (existsSync(path)) return path;
  await mkdir(CACHE, { recursive: true });
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((done) => out.once('drain', () => done())));
  const names = Array.from({ length: workload.features }, (_, v) => `g${String(v + 1).padStart(5, '0')}`);
  await write(`subject,site,sex,age,${names.join(',')}\n`);
  const base = Float64Array.from({ length: workload.features }, (_, v) => 4 + 8 * random(v)());
  for (let i = 0; i < workload.rows; i++) {
    const next = random(7919 * i + workload.features);
    const site = i % SITES.length;
    const age = 20 + Math.floor(60 * next());
    const cells = new Array<string>(workload.features);
    for (let v = 0; v < workload.features; v++) {
      const noise = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      cells[v] = ((base[v] as number) + 0.3 * site + 0.01 * age + (0.5 + 0.1 * site) * noise).toPrecision(workload.digits);
    }
    await write(`sub-${String(i + 1).padStart(5, '0')},${SITES[site]},${i % 2 === 0 ? 'F' : 'M'},${age},${cells.join(',')}\n`);
  }
  await new Promise<void>((done, fail) => out.end((error?: Error | null) => (error ? fail(error) : done())));
  await rename(partial, path);
  return path;
}

/** The table as Feather (an Arrow IPC file of one record batch, as pandas writes one this size), if not cached. */
async function ensureFeather(csv: string): Promise<string> {
  const path = csv.replace(/\.csv$/, '.feather');
  if (!existsSync(path)) await writeFile(path, encodeArrowTable(await readTable(csv), new Map()));
  return path;
}

/**
 * Runs `combat` with arguments in a child process; its time, the peak RSS of the process that ran
 * the command, and that of the launcher that started it with the heap flags (`src/heap-flags.ts`;
 * 0 when there was none). Each prints its peak as it exits, the command's process first.
 */
function measure(argv: readonly string[], preload: string): { seconds: number; peak: number; launcher: number } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', preload, COMBAT, ...argv, '--quiet'], { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  const peaks = [...child.stderr.matchAll(/\npeak (\d+)\n/g)].map((match) => Number(match[1]));
  if (child.status !== 0 || peaks.length === 0) throw new Error(`combat ${argv.join(' ')} failed (${child.status}): ${child.stderr}`);
  return { seconds, peak: peaks[0] as number, launcher: peaks.length > 1 ? (peaks[peaks.length - 1] as number) : 0 };
}

function describe(run: { seconds: number; peak: number; launcher: number }): string {
  return `${run.seconds.toFixed(1)} s, peak RSS ${megabytes(run.peak)}${run.launcher > 0 ? ` (launcher ${megabytes(run.launcher)})` : ''}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const out = join(CACHE, 'out');
  await mkdir(out, { recursive: true });
  const preload = join(CACHE, 'peak.mjs');
  await writeFile(preload, PEAK);
  console.log(`combat harmonize / apply on tables read in chunks (cache: ${CACHE}; node ${process.version}; NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''})`);
  for (const workload of WORKLOADS) {
    const csv = await ensureTable(workload);
    const inputs = [csv, ...(workload.feather === true ? [await ensureFeather(csv)] : [])];
    const features = ['--features', `g00001:g${String(workload.features).padStart(5, '0')}`];
    for (const input of inputs) {
      const extension = input.endsWith('.csv') ? 'csv' : 'feather';
      const shape = `${workload.rows} x ${workload.features.toLocaleString('en')} ${extension} (${megabytes(statSync(input).size)})`;
      const model = join(out, `${workload.name}-${extension}.arrow`);
      const harmonized = join(out, `${workload.name}-harmonized.${extension}`);
      const fit = measure(['harmonize', '--data', input, '--batch', 'site', '--categorical', 'sex', '--continuous', 'age', ...features, '--out', harmonized, '--save-model', model, '--overwrite'], preload);
      console.log(`harmonize ${shape}: ${describe(fit)}`);
      const applied = measure(['apply', '--model', model, '--data', input, '--out', join(out, `${workload.name}-applied.${extension}`), '--overwrite'], preload);
      console.log(`apply     ${shape}: ${describe(applied)}`);
    }
  }
  await rm(out, { recursive: true, force: true });
}

await main();
