import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, rename, rm, rmdir, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { InputOverwriteError } from '@combat/base';
import { canonicalPath } from '@combat/base/node';
import { OutputError } from './cli-io.js';

/** One planned output file. */
interface PlannedFile {
  readonly path: string;
  readonly role: string;
  target: string;
  existed: boolean;
  /** The temporary file holding the new bytes, until the commit moves it into place. */
  staged?: string;
  /** The staged file while it is written in parts ({@link OutputPlan.open}). */
  handle?: FileHandle;
  /** Where the commit moved the file this one replaces, until the run is over. */
  backup?: string;
  committed: boolean;
}

/** Plans being written, so an interrupt can remove what they staged. */
const active = new Set<OutputPlan>();

/**
 * Every file a command writes, declared before the first write. {@link OutputPlan.prepare} checks
 * the whole plan at once: no output is an input, no two outputs are the same file (or names that
 * differ only in letter case, one file on a case-insensitive disk), no output replaces an existing
 * file unless `overwrite` is set, and every output's folder exists or is a planned output
 * directory (which it then creates). Writes go to hidden temporary files beside their targets;
 * {@link OutputPlan.commit} moves them all into place without replacing anything that appeared
 * meanwhile, keeping the files `--overwrite` replaces until every move succeeded, and
 * {@link OutputPlan.abort} removes what the run wrote, restores what it replaced and removes the
 * directories it created, so a failed run leaves the disk as it found it. A process killed
 * outright (SIGKILL, or SIGABRT, SIGSEGV and running out of memory, which run no JavaScript) can
 * do none of that: its hidden temporary files (`.NAME.<12 hex digits>.tmp` beside each target)
 * stay, while every target is as it was; nothing but a later run's user removes them.
 */
export class OutputPlan {
  private readonly files: PlannedFile[] = [];
  private readonly directories: { path: string; role: string }[] = [];
  private readonly created: string[] = [];
  private readonly inputs: readonly string[];
  private readonly overwrite: boolean;
  private committing?: Promise<void>;

  constructor(options: { inputs: readonly string[]; overwrite: boolean }) {
    this.inputs = options.inputs;
    this.overwrite = options.overwrite;
  }

  /**
   * Declares an output file; `role` names it in messages (a flag such as `--out`, or what it is).
   */
  file(path: string, role: string): this {
    this.files.push({ path, role, target: resolve(path), existed: false, committed: false });
    return this;
  }

  /**
   * Declares an output directory, created by {@link prepare} when missing (and removed again by
   * {@link abort} when the run fails). Planned files may go directly into it.
   */
  directory(path: string, role: string): this {
    this.directories.push({ path, role });
    return this;
  }

  /**
   * Checks the whole plan against the file system and creates the planned directories. Throws
   * {@link OutputError} naming the path and the flag on the first problem; nothing is written then.
   */
  async prepare(): Promise<void> {
    active.add(this);
    const inputs = await Promise.all(this.inputs.map(async (input) => ({ input, target: await canonicalPath(input) })));
    const directories = await Promise.all(this.directories.map(async (d) => ({ ...d, target: await canonicalPath(d.path) })));
    for (const directory of directories) {
      const found = await kind(directory.target);
      if (found !== 'missing' && found !== 'directory') throw new OutputError(`${directory.role} ${directory.path} exists and is not a directory`);
    }
    const seen = new Map<string, PlannedFile>();
    for (const file of this.files) {
      // Links in the folders are followed; the file itself is never written through a link.
      file.target = join(await canonicalPath(dirname(file.path)), basename(file.path));
      const found = await kind(file.target);
      if (found === 'link') throw new OutputError(`${file.path} (${file.role}) is a symbolic link; refusing to write through it (remove it or choose another path)`);
      if (found === 'other') throw new OutputError(`${file.path} (${file.role}) exists and is not a regular file; refusing to replace it`);
      const input = inputs.find((i) => i.target === file.target);
      if (input !== undefined) throw new InputOverwriteError(file.path, input.input, file.role);
      const twin = seen.get(file.target);
      if (twin !== undefined) throw new OutputError(`${file.path} would be written twice: as ${twin.role} and as ${file.role}; choose different paths`);
      const folded = [...seen.values()].find((other) => foldCase(other.target) === foldCase(file.target));
      if (folded !== undefined) {
        throw new OutputError(`${folded.path} (${folded.role}) and ${file.path} (${file.role}) differ only in letter case, one file on a case-insensitive disk; choose different names`);
      }
      seen.set(file.target, file);
      const directory = directories.find((d) => d.target === file.target);
      if (directory !== undefined) throw new OutputError(`${file.path} is both ${directory.role} and the file ${file.role}; choose different paths`);
      if (found === 'directory') throw new OutputError(`${file.role} ${file.path} is a directory; expected a file path`);
      file.existed = found !== 'missing';
      if (file.existed && !this.overwrite) throw new OutputError(`${file.path} (${file.role}) exists; choose another path, or pass --overwrite to replace it`);
      const folder = dirname(file.target);
      if ((await kind(folder)) !== 'directory' && !directories.some((d) => d.target === folder)) {
        throw new OutputError(`the directory ${dirname(file.path)} of ${file.role} ${file.path} does not exist; create it first`);
      }
    }
    for (const directory of directories) await this.createDirectory(directory.target);
  }

  /**
   * Stages the bytes of a planned output in a temporary file beside it (replacing what an earlier
   * call staged for it).
   */
  async write(path: string, bytes: Uint8Array): Promise<void> {
    const file = await this.stage(path);
    try {
      await writeFile(file.staged as string, bytes, { flag: 'wx' });
    } catch (error) {
      throw new OutputError(`cannot write ${file.path} (${file.role}): ${describeFailure(error)}`);
    }
  }

  /**
   * Opens a planned output to be written in parts, as a table is written while its chunks are
   * adjusted: the parts go, in order, to the temporary file {@link write} would stage. Close it
   * before the commit; an abort closes and removes it.
   */
  async open(path: string): Promise<{ write(bytes: Uint8Array): Promise<void>; close(): Promise<void> }> {
    const file = await this.stage(path);
    const failed = (error: unknown) => new OutputError(`cannot write ${file.path} (${file.role}): ${describeFailure(error)}`);
    let handle: FileHandle;
    try {
      handle = await open(file.staged as string, 'wx');
    } catch (error) {
      throw failed(error);
    }
    file.handle = handle;
    return {
      write: async (bytes) => {
        try {
          for (let at = 0; at < bytes.length; ) at += (await handle.write(bytes, at, bytes.length - at)).bytesWritten;
        } catch (error) {
          throw failed(error);
        }
      },
      close: async () => {
        file.handle = undefined;
        await handle.close().catch((error: unknown) => {
          throw failed(error);
        });
      },
    };
  }

  /** The planned file of a path, with a new temporary name to stage its bytes at (what it staged before removed). */
  private async stage(path: string): Promise<PlannedFile> {
    const target = resolve(path);
    const file = this.files.find((f) => f.target === target || resolve(f.path) === target);
    if (file === undefined) throw new Error(`${path} was not planned as an output`);
    await file.handle?.close().catch(() => {});
    file.handle = undefined;
    if (file.staged !== undefined) await rm(file.staged, { force: true });
    file.staged = beside(file.target, 'tmp');
    return file;
  }

  /**
   * Moves every staged file into place. A file that exists now but did not when the plan was
   * prepared is never replaced (the run fails instead); files `overwrite` replaces are kept aside
   * until every staged file is in place, then removed.
   */
  commit(): Promise<void> {
    this.committing = this.moveIn();
    return this.committing;
  }

  /**
   * What an interrupt does: a commit under way is let finish (it only moves files, and stopping it
   * halfway would leave old and new files mixed), anything else is aborted.
   */
  async interrupt(): Promise<void> {
    if (this.committing === undefined) return this.abort();
    try {
      await this.committing;
    } catch {
      await this.abort();
    }
  }

  private async moveIn(): Promise<void> {
    const staged = this.files.filter((file) => file.staged !== undefined);
    for (const file of staged) {
      if (!file.existed) continue;
      const backup = beside(file.target, 'replaced');
      await rename(file.target, backup);
      file.backup = backup;
    }
    for (const file of staged) {
      await place(file.staged as string, file);
      file.staged = undefined;
      file.committed = true;
    }
    for (const file of staged) {
      if (file.backup !== undefined) await rm(file.backup, { force: true });
      file.backup = undefined;
    }
    active.delete(this);
  }

  /**
   * Removes what the plan staged and what it committed, puts back the files it replaced, and
   * removes the directories it created (when empty). Never throws.
   */
  async abort(): Promise<void> {
    for (const file of this.files) {
      await file.handle?.close().catch(() => {});
      file.handle = undefined;
      if (file.staged !== undefined) await rm(file.staged, { force: true }).catch(() => {});
      if (file.committed) await rm(file.target, { force: true }).catch(() => {});
      if (file.backup !== undefined) await rename(file.backup, file.target).catch(() => {});
      file.staged = undefined;
      file.backup = undefined;
      file.committed = false;
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
 */
export async function withOutputs<T>(plan: OutputPlan, work: () => Promise<T>): Promise<T> {
  try {
    await plan.prepare();
    const result = await work();
    await plan.commit();
    return result;
  } catch (error) {
    await plan.abort();
    throw error;
  }
}

/** Whether {@link interruptActivePlans} was called: the process is stopping on a signal. */
let interrupting = false;

/**
 * Interrupts every plan still being written (for an interrupted process): see
 * {@link OutputPlan.interrupt}.
 */
export async function interruptActivePlans(): Promise<void> {
  interrupting = true;
  await Promise.all([...active].map((plan) => plan.interrupt()));
}

/**
 * Whether the process is stopping on a signal: a write the interrupt cut short then fails
 * (its file closed and removed), which is no error of the run's to report.
 */
export function isInterrupted(): boolean {
  return interrupting;
}

/** What is at a path, without following a link there. */
async function kind(path: string): Promise<'missing' | 'directory' | 'file' | 'link' | 'other'> {
  try {
    const found = await lstat(path);
    return found.isSymbolicLink() ? 'link' : found.isDirectory() ? 'directory' : found.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * Moves a staged file to its target without replacing anything: a hard link, which fails when the
 * target exists, then the staged name removed. Where the file system has no hard links, a rename
 * after checking that the target is still absent.
 */
async function place(staged: string, file: PlannedFile): Promise<void> {
  try {
    await link(staged, file.target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new OutputError(`${file.path} (${file.role}) appeared while the run was writing; nothing was replaced`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
    if ((await kind(file.target)) !== 'missing') throw new OutputError(`${file.path} (${file.role}) appeared while the run was writing; nothing was replaced`);
    await rename(staged, file.target);
    return;
  }
  await rm(staged, { force: true });
}

/** A hidden name beside `target`, unique to this run. */
function beside(target: string, purpose: 'tmp' | 'replaced'): string {
  return join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.${purpose}`);
}

/** A path as a case-insensitive disk compares it. */
function foldCase(path: string): string {
  return path.normalize('NFC').toLowerCase();
}

function describeFailure(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code === 'ENOSPC' ? 'no space left on the device' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? message);
}
