/**
 * `pnpm bench` for the table commands: `combat harmonize`, `combat apply` and `combat fit-partial`
 * on generated CSV tables, each run of the built `combat` (dist/main.js) in a child process, with
 * `--threads 1` and with every core (the default), reporting the time and the peak RSS of the
 * whole process tree (each `node` process prints its own peak as it exits; `combat` runs in one,
 * its workers are threads of it). The tables are written once into a cache folder outside the
 * repository (`$COMBAT_BENCH_CACHE`, else the system's temporary folder): 57 x 22,283 (the shape
 * of a gene-expression study, about 20 MB, also as Feather of one record batch), and 2,000 and
 * 4,000 rows of 20,000 features (about 0.75 and 1.5 GB), whose peak RSS should not grow with the
 * rows. Arguments name the tables to run (`expression`, `wide-2000`, `wide-4000`; default all);
 * `COMBAT_BENCH_THREADS` the thread counts (default `1,` and every core). Prints figures; asserts
 * nothing.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
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
 * Runs `combat` with arguments in a child process; its time and the peak RSS of its process tree
 * (the sum of the peaks each `node` process in it prints as it exits).
 */
function measure(argv: readonly string[], preload: string): { seconds: number; peak: number } {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--import', preload, COMBAT, ...argv, '--quiet'], { encoding: 'utf8' });
  const seconds = (performance.now() - start) / 1000;
  const peaks = [...child.stderr.matchAll(/\npeak (\d+)\n/g)].map((match) => Number(match[1]));
  if (child.status !== 0 || peaks.length === 0) throw new Error(`combat ${argv.join(' ')} failed (${child.status}): ${child.stderr}`);
  return { seconds, peak: peaks.reduce((sum, peak) => sum + peak, 0) };
}

function describe(run: { seconds: number; peak: number }): string {
  return `${run.seconds.toFixed(1)} s, peak RSS ${megabytes(run.peak)}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MB`;
}

async function main(): Promise<void> {
  const out = join(CACHE, 'out');
  await mkdir(out, { recursive: true });
  const preload = join(CACHE, 'peak.mjs');
  await writeFile(preload, PEAK);
  const chosen = process.argv.slice(2);
  const threads = (process.env.COMBAT_BENCH_THREADS ?? `1,${availableParallelism()}`).split(',').map(Number);
  console.log(`combat harmonize / apply / fit-partial on tables read in chunks (cache: ${CACHE}; node ${process.version}; ${availableParallelism()} cores; NODE_OPTIONS=${process.env.NODE_OPTIONS ?? ''})`);
  for (const workload of WORKLOADS.filter((w) => chosen.length === 0 || chosen.includes(w.name))) {
    const csv = await ensureTable(workload);
    const inputs = [csv, ...(workload.feather === true ? [await ensureFeather(csv)] : [])];
    const features = ['--features', `g00001:g${String(workload.features).padStart(5, '0')}`];
    const covariates = ['--batch', 'site', '--categorical', 'sex', '--continuous', 'age'];
    for (const input of inputs) {
      const extension = input.endsWith('.csv') ? 'csv' : 'feather';
      const shape = `${workload.rows} x ${workload.features.toLocaleString('en')} ${extension} (${megabytes(statSync(input).size)})`;
      for (const n of threads) {
        const flags = ['--threads', String(n), '--overwrite'];
        const model = join(out, `${workload.name}-${extension}.arrow`);
        const fit = measure(['harmonize', '--data', input, ...covariates, ...features, '--out', join(out, `${workload.name}-harmonized.${extension}`), '--save-model', model, ...flags], preload);
        console.log(`harmonize   ${shape}, ${n} thread${n === 1 ? '' : 's'}: ${describe(fit)}`);
        const applied = measure(['apply', '--model', model, '--data', input, '--out', join(out, `${workload.name}-applied.${extension}`), ...flags], preload);
        console.log(`apply       ${shape}, ${n} thread${n === 1 ? '' : 's'}: ${describe(applied)}`);
        const partial = measure(['fit-partial', '--data', input, ...covariates, ...features, '--out', join(out, `${workload.name}-${extension}.stats.arrow`), ...flags], preload);
        console.log(`fit-partial ${shape}, ${n} thread${n === 1 ? '' : 's'}: ${describe(partial)}`);
        await rm(out, { recursive: true, force: true });
        await mkdir(out, { recursive: true });
      }
    }
  }
  await rm(out, { recursive: true, force: true });
}

await main();
