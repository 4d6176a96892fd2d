/**
 * `pnpm bench` for the volume pipeline (@combat/io-nifti + @combat/volumes): subjects of
 * 91x109x91 float32 .nii.gz with a brain-shaped (ellipsoid) mask of about 230,000 voxels, 4 sites,
 * age and sex. Times read + harmonize + write (streaming) and the share of it in ComBat's math;
 * measures the peak RSS of the streaming path for 100 and 400 subjects in child processes.
 * Prints figures; asserts nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { identityAffine, type Volume, type VolumeResource } from '@combat/base';
import { harmonizeVolumesStreaming } from '@combat/volumes';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { random } from '../../../test-support/src/synthetic.js';
import { NiftiFileResource, writeNifti } from '../src/node.js';

const SHAPE = [91, 109, 91] as const;
const SITES = ['siteA', 'siteB', 'siteC', 'siteD'];
const ROOT = join(tmpdir(), 'combat-volume-bench');
const INPUTS = join(ROOT, 'inputs');

function subject(i: number) {
  const next = random(1000 + i);
  return { site: SITES[i % SITES.length]!, sex: next() < 0.5 ? 'F' : 'M', age: 20 + 60 * next() };
}

function affine(): Float64Array {
  const a = identityAffine();
  a.set([2, 0, 0, -90, 0, 2, 0, -126, 0, 0, 2, -72], 0);
  return a;
}

/** An ellipsoid of radii 36, 45, 34 voxels about the centre: about 230,000 voxels. */
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

/** Writes the synthetic inputs that do not exist yet: smooth anatomy, age and site effects, noise. */
async function ensureInputs(count: number): Promise<void> {
  await mkdir(INPUTS, { recursive: true });
  const maskPath = join(INPUTS, 'mask.nii.gz');
  if (!existsSync(maskPath)) await writeNifti(maskPath, brainMask(), { level: 1 });
  const [nx, ny, nz] = SHAPE;
  for (let s = 0; s < count; s++) {
    const path = join(INPUTS, `sub-${String(s).padStart(3, '0')}.nii.gz`);
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
}

/** Runs the streaming pipeline over the first `count` subjects, timing reads and writes apart. */
async function runPipeline(count: number, outputs: string): Promise<{ total: number; reading: number; writing: number; voxels: number }> {
  await rm(outputs, { recursive: true, force: true });
  await mkdir(outputs, { recursive: true });
  let reading = 0;
  let writing = 0;
  const timed = (resource: NiftiFileResource): VolumeResource => ({
    source: resource.source,
    load: async () => {
      const start = performance.now();
      const volume = await resource.load();
      reading += performance.now() - start;
      return volume;
    },
  });
  const subjects = Array.from({ length: count }, (_, s) => subject(s));
  const paths = subjects.map((_, s) => join(INPUTS, `sub-${String(s).padStart(3, '0')}.nii.gz`));
  const start = performance.now();
  const { estimates } = await harmonizeVolumesStreaming(
    paths.map((p) => timed(new NiftiFileResource(p))),
    { batch: subjects.map((s) => s.site), categorical: { sex: subjects.map((s) => s.sex) }, continuous: { age: subjects.map((s) => s.age) } },
    async (volume, i) => {
      const begin = performance.now();
      await writeNifti(join(outputs, `sub-${String(i).padStart(3, '0')}.nii.gz`), volume, { protect: paths });
      writing += performance.now() - begin;
    },
    { mask: timed(new NiftiFileResource(join(INPUTS, 'mask.nii.gz'))) },
  );
  return { total: performance.now() - start, reading, writing, voxels: estimates.mask.indices.length };
}

const memoryArg = process.argv.indexOf('--memory');
if (memoryArg >= 0) {
  const count = Number(process.argv[memoryArg + 1]);
  await runPipeline(count, join(ROOT, `outputs-${count}`));
  console.log(JSON.stringify({ peak: process.resourceUsage().maxRSS * 1024 }));
} else {
  const script = fileURLToPath(import.meta.url);
  console.log(`volume pipeline benchmark, Node ${process.version}; inputs in ${INPUTS} (made once, kept between runs)`);
  await ensureInputs(400);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const run = await runPipeline(200, join(ROOT, 'outputs-200'));
  const math = run.total - run.reading - run.writing;
  console.log(
    `200 subjects, ${run.voxels} voxels in mask: ${s(run.total)} in all (${(run.total / 200).toFixed(0)} ms a subject); ` +
      `reading+decoding (each file twice) ${s(run.reading)}, encoding+writing ${s(run.writing)}, ` +
      `ComBat math with flatten/unflatten ${s(math)} = ${((100 * math) / run.total).toFixed(1)}%`,
  );
  for (const count of [100, 400]) {
    const child = spawnSync(process.execPath, [script, '--memory', String(count)], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`memory run failed: ${child.stderr}`);
    const { peak } = JSON.parse(child.stdout.trim().split('\n').pop() as string) as { peak: number };
    console.log(`streaming, ${count} subjects: peak RSS ${(peak / 2 ** 20).toFixed(0)} MB`);
  }
}
