import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built executable (the CLI project's global setup builds it). */
export const COMBAT = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** What a run of `combat` printed and its exit code. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `combat` with arguments in a child process. */
export function runCli(...argv: string[]): Promise<CliResult> {
  return runCliWith({}, ...argv);
}

/** {@link runCli} in another working directory or with extra environment variables. */
export function runCliWith(options: { cwd?: string; env?: Record<string, string> }, ...argv: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [COMBAT, ...argv], { cwd: options.cwd, env: { ...process.env, npm_lifecycle_event: '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code: code ?? (signal === null ? -1 : 128), stdout, stderr }));
  });
}
