import { randomBytes } from 'node:crypto';
import { lstat, mkdir, realpath, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { OutputError } from './cli-io.js';

/** One planned output file. */
interface PlannedFile {
  readonly path: string;
  readonly role: string;
  target: string;
  existed: boolean;
  staged?: string;
  committed: boolean;
}

/** Plans being written, so an interrupt can remove what they staged. */
const active = new Set<OutputPlan>();

/**
 * Every file a command writes, declared before the first write. {@link OutputPlan.prepare} checks
 * the whole plan at once: no output is an input, no two outputs are the same file, no output
 * replaces an existing file unless `overwrite` is set, and every output's folder exists or is a
 * planned output directory (which it then creates). Writes go to hidden temporary files beside
 * their targets; {@link OutputPlan.commit} renames them all into place, and
 * {@link OutputPlan.abort} removes them and the directories the plan created, so a failed run
 * leaves nothing behind and replaces nothing.
 *
 * @example
 * ```ts
 * const plan = new OutputPlan({ inputs: ['rois.csv'], overwrite: false });
 * plan.file('harmonized.csv', '--out');
 * await withOutputs(plan, async () => plan.write('harmonized.csv', bytes));
 * ```
 */
export class OutputPlan {
  private readonly files: PlannedFile[] = [];
  private readonly directories: { path: string; role: string }[] = [];
  private readonly created: string[] = [];
  private readonly inputs: readonly string[];
  private readonly overwrite: boolean;

  constructor(options: { inputs: readonly string[]; overwrite: boolean }) {
    this.inputs = options.inputs;
    this.overwrite = options.overwrite;
  }

  /**
   * Declares an output file; `role` names it in messages (a flag such as `--out`, or what it is).
   *
   * @example
   * ```ts
   * plan.file('model.arrow', '--save-model');
   * ```
   */
  file(path: string, role: string): this {
    this.files.push({ path, role, target: resolve(path), existed: false, committed: false });
    return this;
  }

  /**
   * Declares an output directory, created by {@link prepare} when missing (and removed again by
   * {@link abort} when the run fails).
   *
   * @example
   * ```ts
   * plan.directory('harmonized', '--out-dir');
   * ```
   */
  directory(path: string, role: string): this {
    this.directories.push({ path, role });
    return this;
  }

  /**
   * Checks the whole plan against the file system and creates the planned directories. Throws
   * {@link OutputError} naming the path and the flag on the first problem; nothing is written then.
   *
   * @example
   * ```ts
   * await plan.prepare();
   * ```
   */
  async prepare(): Promise<void> {
    const inputs = await Promise.all(this.inputs.map(async (input) => ({ input, target: await canonical(input) })));
    const directories = await Promise.all(this.directories.map(async (d) => ({ ...d, target: await canonical(d.path) })));
    for (const directory of directories) {
      const found = await kind(directory.target);
      if (found !== 'missing' && found !== 'directory') throw new OutputError(`${directory.role} ${directory.path} exists and is not a directory`);
    }
    const seen = new Map<string, PlannedFile>();
    for (const file of this.files) {
      file.target = await canonical(file.path);
      const input = inputs.find((i) => i.target === file.target);
      if (input !== undefined) throw new OutputError(`refusing to write ${file.path} (${file.role}): it is an input (${input.input}); choose another output path`);
      const twin = seen.get(file.target);
      if (twin !== undefined) throw new OutputError(`${file.path} would be written twice: as ${twin.role} and as ${file.role}; choose different paths`);
      seen.set(file.target, file);
      const folder = dirname(file.target);
      const found = await kind(file.target);
      if (found === 'directory') throw new OutputError(`${file.role} ${file.path} is a directory; expected a file path`);
      file.existed = found !== 'missing';
      if (file.existed && !this.overwrite) throw new OutputError(`${file.path} (${file.role}) exists; choose another path, or pass --overwrite to replace it`);
      if ((await kind(folder)) !== 'directory' && !directories.some((d) => isWithin(folder, d.target))) {
        throw new OutputError(`the directory ${dirname(file.path)} of ${file.role} ${file.path} does not exist; create it first`);
      }
    }
    for (const directory of directories) await this.createDirectory(directory.target);
    active.add(this);
  }

  /**
   * Stages the bytes of a planned output in a temporary file beside it.
   *
   * @example
   * ```ts
   * await plan.write('harmonized.csv', new TextEncoder().encode(text));
   * ```
   */
  async write(path: string, bytes: Uint8Array): Promise<void> {
    const target = resolve(path);
    const file = this.files.find((f) => f.target === target || resolve(f.path) === target);
    if (file === undefined) throw new Error(`${path} was not planned as an output`);
    const staged = join(dirname(file.target), `.${basename(file.target)}.${randomBytes(6).toString('hex')}.tmp`);
    file.staged = staged;
    await writeFile(staged, bytes, { flag: 'wx' });
  }

  /**
   * Moves every staged file into place.
   *
   * @example
   * ```ts
   * await plan.commit();
   * ```
   */
  async commit(): Promise<void> {
    for (const file of this.files) {
      if (file.staged === undefined) continue;
      await rename(file.staged, file.target);
      file.staged = undefined;
      file.committed = true;
    }
    active.delete(this);
  }

  /**
   * Removes what the plan staged, the files it committed that did not exist before, and the
   * directories it created (when empty). Never throws.
   *
   * @example
   * ```ts
   * await plan.abort();
   * ```
   */
  async abort(): Promise<void> {
    for (const file of this.files) {
      if (file.staged !== undefined) await rm(file.staged, { force: true }).catch(() => {});
      if (file.committed && !file.existed) await rm(file.target, { force: true }).catch(() => {});
    }
    for (const directory of [...this.created].reverse()) await rmdir(directory).catch(() => {});
    active.delete(this);
  }

  /** mkdir -p, remembering each level it made. */
  private async createDirectory(target: string): Promise<void> {
    const missing: string[] = [];
    for (let at = target; (await kind(at)) === 'missing'; at = dirname(at)) missing.unshift(at);
    for (const directory of missing) {
      await mkdir(directory);
      this.created.push(directory);
    }
  }
}

/**
 * Runs `work` with a prepared plan, then commits it; on any failure aborts the plan and rethrows.
 *
 * @example
 * ```ts
 * await withOutputs(plan, async () => { await plan.write(out, bytes); });
 * ```
 */
export async function withOutputs<T>(plan: OutputPlan, work: () => Promise<T>): Promise<T> {
  await plan.prepare();
  try {
    const result = await work();
    await plan.commit();
    return result;
  } catch (error) {
    await plan.abort();
    throw error;
  }
}

/**
 * Aborts every plan still being written (for an interrupted process).
 *
 * @example
 * ```ts
 * process.once('SIGINT', () => void abortActivePlans().then(() => process.exit(130)));
 * ```
 */
export async function abortActivePlans(): Promise<void> {
  await Promise.all([...active].map((plan) => plan.abort()));
}

/** The absolute path with links resolved as far as the path exists. */
async function canonical(path: string): Promise<string> {
  const absolute = resolve(path);
  const rest: string[] = [];
  for (let at = absolute; ; at = dirname(at)) {
    try {
      return join(await realpath(at), ...rest);
    } catch {
      if (dirname(at) === at) return absolute;
      rest.unshift(basename(at));
    }
  }
}

async function kind(path: string): Promise<'missing' | 'directory' | 'file'> {
  try {
    await lstat(path);
  } catch {
    return 'missing';
  }
  try {
    return (await stat(path)).isDirectory() ? 'directory' : 'file';
  } catch {
    return 'file';
  }
}

function isWithin(path: string, directory: string): boolean {
  return path === directory || path.startsWith(`${directory}/`);
}
