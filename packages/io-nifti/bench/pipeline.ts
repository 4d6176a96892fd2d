/**
 * `pnpm bench` for the volume pipeline (@combat/io-nifti + @combat/volumes + the CLI): subjects of
 * 91x109x91 float32 .nii.gz with a brain-shaped (ellipsoid) mask of 230,591 voxels, 4 sites, age
 * and sex, made once in `$TMPDIR/combat-volume-bench`. Times the compiled `combat
 * harmonize-volumes` on 200 subjects as a user runs it, with one thread (`--threads 1`, no worker),
 * with one thread pinned to one core (`taskset -c 0`, where there is taskset) and with every core
 * (the default), with its CPU time and peak RSS, beside the peer: kwneuro's
 * pipeline (nibabel loads every volume, neuroCombat, nibabel saves float32 .nii.gz;
 * bench/peers/kwneuro_pipeline.py), run when Python has numpy, pandas, scipy and nibabel and
 * `NEUROCOMBAT_DIR` names a folder holding neuroCombat's package (its `neuroCombat/` folder), else
 * skipped with the reason. Then the peak RSS of the library's streaming path for 100 and 400
 * subjects, in child processes. Prints figures; asserts nothing. `BENCH_RUNS` (default 3) runs of
 * each, alternating; the median is reported.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { identityAffine, type Volume } from '@combat/base';
import { harmonizeVolumesStreaming } from '@combat/volumes';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { random } from '../../../test-support/src/synthetic.js';
import { NiftiFileResource, encodeNiftiFile, writeNifti } from '../src/node.js';

const SHAPE = [91, 109, 91] as const;
const SITES = ['siteA', 'siteB', 'siteC', 'siteD'];
const ROOT = join(tmpdir(), 'combat-volume-bench');
const INPUTS = join(ROOT, 'inputs');
const MASK = join(INPUTS, 'mask.nii.gz');
const SUBJECTS = 200;
/** This package's folder and the repository's, from the compiled file in bench-dist/packages/io-nifti/bench. */
const PACKAGE = fileURLToPath(new URL('../../../../', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../../../../../', import.meta.url));
const COMBAT = join(REPOSITORY, 'apps', 'cli', 'dist', 'main.js');
const PEER = join(PACKAGE, 'bench', 'peers', 'kwneuro_pipeline.py');
const PEAK_RSS = fileURLToPath(new URL('./peak-rss.js', import.meta.url));

function subject(i: number) {
  const next = random(1000 + i);
  return { site: SITES[i % SITES.length]!, sex: next() < 0.5 ? 'F' : 'M', age: 20 + 60 * next() };
}

const inputPath = (s: number) => join(INPUTS, `sub-${String(s).padStart(3, '0')}.nii.gz`);

function affine(): Float64Array {
  const a = identityAffine();
  a.set([2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72], 0);
  return a;
}

/** An ellipsoid of radii 36, 45, 34 voxels about the centre: 230,591 voxels. */
function brainMask(): Volume {
  const [nx, ny, nz] = SHAPE;
  const data = new Uint8Array(nx * ny * nz);
  for (let k = 0; k < nz; k++)
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++) {
        const r = ((i - 45) / 36) ** 2 + ((j - 54) / 45) ** 2 + ((k - 45) / 34) ** 2;
        if (r <= 1) data[i + nx * (j + ny * k)] = 1;
      }
  return { shape: [...SHAPE], affine: affine(), data };
}

/** Writes the synthetic inputs that do not exist yet (smooth anatomy, age and site effects, noise) and a covariates table of `count` subjects. */
async function ensureInputs(count: number): Promise<string> {
  await mkdir(INPUTS, { recursive: true });
  if (!existsSync(MASK)) await writeNifti(MASK, brainMask(), { level: 1 });
  const [nx, ny, nz] = SHAPE;
  for (let s = 0; s < count; s++) {
    const path = inputPath(s);
    if (existsSync(path)) continue;
    const { site, age } = subject(s);
    const b = SITES.indexOf(site);
    const next = random(s);
    const data = new Float32Array(nx * ny * nz);
    for (let at = 0; at < data.length; at++) {
      const i = at % nx;
      const anatomy = 0.3 + 0.4 * Math.sin((i / nx) * Math.PI);
      const noise = Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
      data[at] = (anatomy + 0.002 * age + 0.03 * noise) * (1 + 0.2 * b) + 0.1 * b;
    }
    await writeNifti(path, { shape: [...SHAPE], affine: affine(), data }, { level: 1 });
  }
  const table = join(ROOT, `covariates-${SUBJECTS}.csv`);
  const rows = Array.from({ length: SUBJECTS }, (_, s) => `${inputPath(s)},${subject(s).site},${subject(s).sex},${subject(s).age}`);
  await writeFile(table, ['image,site,sex,age', ...rows].join('\n') + '\n');
  return table;
}

/** What one run took: wall-clock seconds and peak resident set size in bytes. */
interface Run {
  readonly seconds: number;
  readonly peak: number;
  /** CPU time of all the process's threads, in seconds (ours only). */
  readonly cpu?: number;
}

const FLAGS = (table: string, out: string) => ['--covariates', table, '--image-column', 'image', '--batch', 'site', '--categorical', 'sex', '--continuous', 'age', '--mask', MASK, '--out-dir', out];

/**
 * `combat harmonize-volumes` on the workload, compiled, as a user runs it, on `threads` threads
 * (every core when undefined), on the first core only when `oneCore` (Linux's `taskset -c 0`).
 */
function runCombat(table: string, threads: number | undefined, oneCore = false): Run {
  const out = join(ROOT, 'outputs-combat');
  const usageFile = join(ROOT, 'combat-usage.json');
  rmSync(out, { recursive: true, force: true });
  rmSync(usageFile, { force: true });
  const start = performance.now();
  const flags = [...FLAGS(table, out), '--quiet', ...(threads === undefined ? [] : ['--threads', String(threads)])];
  const command = [process.execPath, '--import', PEAK_RSS, COMBAT, 'harmonize-volumes', ...flags];
  const child = spawnSync(oneCore ? 'taskset' : command[0]!, oneCore ? ['-c', '0', ...command] : command.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, COMBAT_BENCH_PEAK_RSS: usageFile },
  });
  const seconds = (performance.now() - start) / 1000;
  if (child.status !== 0) throw new Error(`combat harmonize-volumes failed: ${child.error?.message ?? child.stderr}`);
  const { peak, cpu } = JSON.parse(readFileSync(usageFile, 'utf8')) as { peak: number; cpu: number };
  return { seconds, peak, cpu };
}

/** Whether `taskset` can pin a process to the first core here (Linux, util-linux). */
function canPin(): boolean {
  return spawnSync('taskset', ['-c', '0', process.execPath, '-e', '0']).status === 0;
}

/** The Python that runs the peer, or why there is none. */
function findPeer(): { python: string; env: NodeJS.ProcessEnv } | { skipped: string } {
  const folder = process.env.NEUROCOMBAT_DIR;
  if (folder === undefined) return { skipped: 'NEUROCOMBAT_DIR is not set (a folder holding neuroCombat\'s package: git clone https://github.com/Jfortin1/neuroCombat)' };
  const env = { ...process.env, PYTHONPATH: [folder, process.env.PYTHONPATH].filter(Boolean).join(delimiter) };
  const candidates = [process.env.COMBAT_PEER_PYTHON ?? 'python3', '/usr/bin/python3'];
  const failures: string[] = [];
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import numpy, pandas, scipy, nibabel, neuroCombat'], { encoding: 'utf8', env });
    if (probe.status === 0) return { python, env };
    failures.push(`${python}: ${probe.error?.message ?? probe.stderr.trim().split('\n').pop()}`);
  }
  return { skipped: `no Python with numpy, pandas, scipy, nibabel and neuroCombat (${failures.join('; ')})` };
}

/** kwneuro's pipeline on the workload. */
function runPeer(peer: { python: string; env: NodeJS.ProcessEnv }, table: string): Run {
  const out = join(ROOT, 'outputs-peer');
  rmSync(out, { recursive: true, force: true });
  const start = performance.now();
  const child = spawnSync(peer.python, [PEER, ...FLAGS(table, out)], { encoding: 'utf8', env: peer.env, maxBuffer: 2 ** 26 });
  const seconds = (performance.now() - start) / 1000;
  if (child.status !== 0) throw new Error(`the peer failed: ${child.stderr}`);
  const { peak } = JSON.parse(child.stdout.trim().split('\n').pop() as string) as { peak: number };
  return { seconds, peak };
}

/** The library's streaming path over the first `count` subjects, written as the CLI writes them. */
async function runLibrary(count: number, memoryBudget: number | undefined): Promise<void> {
  const outputs = join(ROOT, `outputs-${count}`);
  await rm(outputs, { recursive: true, force: true });
  await mkdir(outputs, { recursive: true });
  const subjects = Array.from({ length: count }, (_, s) => subject(s));
  const paths = subjects.map((_, s) => inputPath(s));
  await harmonizeVolumesStreaming(
    paths.map((p) => new NiftiFileResource(p)),
    { batch: subjects.map((s) => s.site), categorical: { sex: subjects.map((s) => s.sex) }, continuous: { age: subjects.map((s) => s.age) } },
    async (volume, i) => {
      const path = join(outputs, `sub-${String(i).padStart(3, '0')}.nii.gz`);
      await writeFile(path, await encodeNiftiFile(path, volume, { level: 1, strategy: 'run-length' }));
    },
    { mask: new NiftiFileResource(MASK), ...(memoryBudget === undefined ? {} : { memoryBudget }) },
  );
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (runs: Run[]) => `${median(runs.map((r) => r.seconds)).toFixed(1)} s (runs: ${runs.map((r) => r.seconds.toFixed(1)).join(', ')})`;

const memoryArg = process.argv.indexOf('--memory');
if (memoryArg >= 0) {
  const budget = process.argv[memoryArg + 2];
  await runLibrary(Number(process.argv[memoryArg + 1]), budget === undefined ? undefined : Number(budget));
  console.log(JSON.stringify({ peak: process.resourceUsage().maxRSS * 1024 }));
} else {
  const script = fileURLToPath(import.meta.url);
  console.log(`volume pipeline benchmark, Node ${process.version}; inputs in ${INPUTS} (made once, kept between runs)`);
  await ensureInputs(400);
  const table = await ensureInputs(SUBJECTS);
  const built = spawnSync('npx', ['--yes', 'pnpm@10.34.8', 'exec', 'turbo', 'run', 'build', '--filter=@combat/cli...', '--output-logs=errors-only'], { cwd: REPOSITORY, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('building combat failed');
  const peer = findPeer();
  const runs = Number(process.env.BENCH_RUNS ?? 3);
  const pin = canPin();
  const ours: Run[] = [];
  const single: Run[] = [];
  const pinned: Run[] = [];
  const theirs: Run[] = [];
  const loads: number[] = [];
  for (let run = 0; run < runs; run++) {
    loads.push(loadavg()[0]!);
    ours.push(runCombat(table, undefined));
    single.push(runCombat(table, 1));
    if (pin) pinned.push(runCombat(table, 1, true));
    if ('python' in peer) theirs.push(runPeer(peer, table));
  }
  const cores = availableParallelism();
  const workload = `${SUBJECTS} subjects, 230,591 voxels in the mask, age + sex`;
  const facts = (runs: Run[]) => `${seconds(runs)}, CPU ${median(runs.map((r) => r.cpu ?? 0)).toFixed(1)} s, peak RSS ${mb(median(runs.map((r) => r.peak)))}`;
  const ratio = (slow: Run[], fast: Run[]) => (median(slow.map((r) => r.seconds)) / median(fast.map((r) => r.seconds))).toFixed(2);
  console.log(`load average (1 min) before each round: ${loads.map((l) => l.toFixed(1)).join(', ')} on ${cores} cores`);
  console.log(`combat harmonize-volumes (compiled), ${workload}, every core (${cores} threads): ${facts(ours)}`);
  console.log(`combat harmonize-volumes (compiled), ${workload}, --threads 1 (no worker): ${facts(single)}`);
  console.log(`every core is ${ratio(single, ours)}x faster than one thread (medians)`);
  if (pin) {
    console.log(`combat harmonize-volumes (compiled), ${workload}, --threads 1 on one core (taskset -c 0): ${facts(pinned)}`);
    console.log(`every core is ${ratio(pinned, ours)}x faster than one thread on one core (medians)`);
  } else console.log('one core: skipped (no taskset here)');
  if ('skipped' in peer) console.log(`kwneuro's pipeline (nibabel + neuroCombat): skipped: ${peer.skipped}`);
  else {
    console.log(`kwneuro's pipeline (nibabel + neuroCombat), same inputs: ${seconds(theirs)}, peak RSS ${mb(median(theirs.map((r) => r.peak)))}`);
    console.log(`combat is ${(median(theirs.map((r) => r.seconds)) / median(ours.map((r) => r.seconds))).toFixed(1)}x faster with every core, ${(median(theirs.map((r) => r.seconds)) / median(single.map((r) => r.seconds))).toFixed(1)}x with one thread (medians)`);
  }
  for (const count of [100, 400]) {
    const peaks = [undefined, 0].map((budget) => {
      const child = spawnSync(process.execPath, [script, '--memory', String(count), ...(budget === undefined ? [] : [String(budget)])], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr}`);
      return (JSON.parse(child.stdout.trim().split('\n').pop() as string) as { peak: number }).peak;
    });
    console.log(`library streaming path, ${count} subjects: peak RSS ${mb(peaks[0]!)} (default memoryBudget), ${mb(peaks[1]!)} (memoryBudget 0: each volume read twice)`);
  }
}
