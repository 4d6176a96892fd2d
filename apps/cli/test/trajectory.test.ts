import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InMemoryVolumeResource } from '@combat/base';
import { temporaryFolder } from '@combat/test-support';
import { harmonizeVolumes, maskIndices } from '@combat/volumes';
import { describe, expect, it } from 'vitest';
import { generateExample, nonlinearAgeEffect } from '../src/demo/generate.js';
import { fittedTrajectory } from '../src/demo/trajectory.js';
import { runCli } from './run-cli.js';

describe('the fitted trajectory of a spline term', () => {
  it('follows the harmonized subjects, and the nonlinear age effect the example was made with', async () => {
    const { subjects, mask } = generateExample(123, { nonlinear: true });
    const covariates = { batch: subjects.map((s) => s.scanner), continuous: { age: subjects.map((s) => s.age) } };
    const { harmonized, estimates } = await harmonizeVolumes(subjects.map((s) => new InMemoryVolumeResource(s.volume)), covariates, {
      mask: new InMemoryVolumeResource(mask),
      splines: { age: { df: 4 } },
    });
    const inside = maskIndices(mask);
    const meanInside = (data: ArrayLike<number>) => Array.from(inside).reduce((a, at) => a + (data[at] as number), 0) / inside.length;
    const ages = subjects.map((s) => s.age);
    const trajectory = fittedTrajectory(estimates, 'age', ages)!;
    // After harmonization the subjects follow the one fitted curve (the example's scanner scales
    // multiply its age effect, which ComBat's additive covariate model leaves a little of), far
    // closer than the best straight line: the curvature is captured.
    const means = harmonized.map((volume) => meanInside(volume.data));
    const rms = (residuals: number[]) => Math.sqrt(residuals.reduce((a, r) => a + r * r, 0) / residuals.length);
    const curve = rms(means.map((m, i) => m - trajectory.after[i]!));
    const [mx, my] = [ages.reduce((a, x) => a + x, 0) / ages.length, means.reduce((a, y) => a + y, 0) / means.length];
    const slope = ages.reduce((a, x, i) => a + (x - mx) * (means[i]! - my), 0) / ages.reduce((a, x) => a + (x - mx) ** 2, 0);
    const line = rms(means.map((m, i) => m - (my + slope * (ages[i]! - mx))));
    expect(curve).toBeLessThan(0.01);
    expect(curve).toBeLessThan(line / 4);
    // The curve has the shape of the effect the example was made with (scaled by the scanners' scales).
    const effect = ages.map(nonlinearAgeEffect);
    const centred = (xs: readonly number[]) => xs.map((x) => x - xs.reduce((a, y) => a + y, 0) / xs.length);
    const [e, t] = [centred(effect), centred(trajectory.after)];
    const correlation = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / Math.sqrt(a.reduce((s, x) => s + x * x, 0) * b.reduce((s, x) => s + x * x, 0));
    // The rise and fall is nearly uncorrelated with age itself, so no linear term could follow it.
    expect(Math.abs(correlation(e, centred(ages)))).toBeLessThan(0.5);
    expect(correlation(e, t)).toBeGreaterThan(0.95);
    expect([...trajectory.before.keys()]).toEqual(['Scanner_A', 'Scanner_B', 'Scanner_C']);
  });
});

describe('combat demo --spline age', () => {
  it('fits age as a spline and adds the trajectory to the report', async () => {
    const dir = await temporaryFolder('demo-spline');
    const result = await runCli('demo', '--out-dir', dir, '--spline', 'age');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Age entered as a natural spline of 4 degrees of freedom; the report plots its fitted trajectory\n');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect([...html.matchAll(/<figure id="(\w+)"/g)].map((m) => m[1])).toEqual(['histograms', 'slices', 'age', 'trajectory']);
  });

  it('refuses a spline of another column', async () => {
    const result = await runCli('demo', '--out-dir', join(await temporaryFolder('demo-spline-bad'), 'x'), '--spline', 'weight');
    expect(result).toMatchObject({ code: 2, stderr: "combat: usage error: --spline weight: the demo's only covariate is age; expected --spline age[:DF]\n" });
  });
});
