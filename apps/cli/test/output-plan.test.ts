import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { temporaryFolder } from '@combat/test-support';
import { describe, expect, it } from 'vitest';
import { OutputPlan, withOutputs } from '../src/outputs.js';
import { filesBelow } from './helpers.js';

const text = (value: string) => new TextEncoder().encode(value);

/** The OutputPlan on its own, for the failures a command run cannot stage on demand. */
describe('the output plan', () => {
  it('puts back every file --overwrite replaced when a later move fails', async () => {
    const dir = await temporaryFolder('plan-restore');
    const [a, b] = [await writeFileAt(dir, 'a.csv', 'old A\n'), await writeFileAt(dir, 'b.csv', 'old B\n')];
    const plan = new OutputPlan({ inputs: [], overwrite: true }).file(a, '--out').file(b, '--save-model');
    const run = withOutputs(plan, async () => {
      await plan.write(a, text('new A\n'));
      await plan.write(b, text('new B\n'));
      // Lose b's staged bytes, so moving it into place fails after a has been moved.
      for (const name of await readdir(dir)) if (name.startsWith('.b.csv.')) await rm(join(dir, name));
    });
    await expect(run).rejects.toThrow();
    expect(await readFile(a, 'utf8')).toBe('old A\n');
    expect(await readFile(b, 'utf8')).toBe('old B\n');
    expect(await filesBelow(dir)).toEqual(['a.csv', 'b.csv']);
  });

  it('never replaces a file that appeared after the plan was checked, and takes back what it moved', async () => {
    const dir = await temporaryFolder('plan-appeared');
    const [first, second] = [join(dir, 'first.csv'), join(dir, 'second.csv')];
    const plan = new OutputPlan({ inputs: [], overwrite: false }).file(first, '--out').file(second, '--save-model');
    const run = withOutputs(plan, async () => {
      await plan.write(first, text('mine\n'));
      await plan.write(second, text('mine\n'));
      await writeFile(second, 'someone else\u2019s\n');
    });
    await expect(run).rejects.toThrow(/second\.csv \(--save-model\) appeared while the run was writing; nothing was replaced/);
    expect(await filesBelow(dir)).toEqual(['second.csv']);
    expect(await readFile(second, 'utf8')).toBe('someone else\u2019s\n');
  });

  it('removes what it staged and the folders it made when the work fails', async () => {
    const dir = await temporaryFolder('plan-abort');
    const out = join(dir, 'new', 'deeper');
    const plan = new OutputPlan({ inputs: [], overwrite: false }).directory(out, '--out-dir').file(join(out, 'x.nii.gz'), 'an image');
    const run = withOutputs(plan, async () => {
      await plan.write(join(out, 'x.nii.gz'), text('staged'));
      throw new Error('the fit failed');
    });
    await expect(run).rejects.toThrow('the fit failed');
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes an output in parts to its staged file, moved into place by the commit, or removed, open, when the work fails', async () => {
    const dir = await temporaryFolder('plan-parts');
    const out = join(dir, 'out.csv');
    const plan = new OutputPlan({ inputs: [], overwrite: false }).file(out, '--out');
    await withOutputs(plan, async () => {
      const writer = await plan.open(out);
      await writer.write(text('a,b\n'));
      await writer.write(text('1,2\n'));
      expect((await readdir(dir)).filter((name) => name.startsWith('.out.csv.'))).toHaveLength(1);
      await writer.close();
    });
    expect(await readFile(out, 'utf8')).toBe('a,b\n1,2\n');
    const failed = new OutputPlan({ inputs: [], overwrite: true }).file(out, '--out');
    const run = withOutputs(failed, async () => {
      const writer = await failed.open(out);
      await writer.write(text('half a table'));
      throw new Error('a late chunk failed');
    });
    await expect(run).rejects.toThrow('a late chunk failed');
    expect(await filesBelow(dir)).toEqual(['out.csv']);
    expect(await readFile(out, 'utf8')).toBe('a,b\n1,2\n');
  });

  it('keeps one staged file per output however often it is written', async () => {
    const dir = await temporaryFolder('plan-twice');
    const out = join(dir, 'out.csv');
    const plan = new OutputPlan({ inputs: [], overwrite: false }).file(out, '--out');
    await withOutputs(plan, async () => {
      await plan.write(out, text('first\n'));
      await plan.write(out, text('second\n'));
    });
    expect(await filesBelow(dir)).toEqual(['out.csv']);
    expect(await readFile(out, 'utf8')).toBe('second\n');
  });

  it('never writes through a symbolic link, even with --overwrite', async () => {
    const dir = await temporaryFolder('plan-link');
    const precious = await writeFileAt(dir, 'precious.txt', 'keep me\n');
    await symlink(precious, join(dir, 'report.html'));
    const plan = new OutputPlan({ inputs: [], overwrite: true }).file(join(dir, 'report.html'), 'the report');
    await expect(withOutputs(plan, async () => plan.write(join(dir, 'report.html'), text('<html>')))).rejects.toThrow(/report\.html \(the report\) is a symbolic link; refusing to write through it/);
    expect(await readFile(precious, 'utf8')).toBe('keep me\n');
  });

  it.each([
    ['a file in a folder below a planned directory', (dir: string) => new OutputPlan({ inputs: [], overwrite: false }).directory(join(dir, 'out'), '--out-dir').file(join(dir, 'out', 'models', 'm.arrow'), '--save-model'), /the directory .*out\/models of --save-model .* does not exist/],
    ['a file that is also a planned directory', (dir: string) => new OutputPlan({ inputs: [], overwrite: false }).directory(join(dir, 'out'), '--out-dir').file(join(dir, 'out'), '--save-model'), /out is both --out-dir and the file --save-model/],
    ['names that differ only in letter case', (dir: string) => new OutputPlan({ inputs: [], overwrite: false }).file(join(dir, 'Sub-01.nii'), 'row 1').file(join(dir, 'sub-01.nii'), 'row 2'), /differ only in letter case/],
  ])('refuses %s before creating anything', async (_, plan, message) => {
    const dir = await temporaryFolder('plan-refuse');
    await expect(withOutputs(plan(dir), async () => {})).rejects.toThrow(message);
    expect(await readdir(dir)).toEqual([]);
  });
});

async function writeFileAt(dir: string, name: string, content: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, name), content);
  return join(dir, name);
}
