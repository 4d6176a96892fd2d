import type { Command } from 'commander';
import type { ReportFacts } from '@combat/report';

/**
 * What a report says of the run besides its inputs and outputs and the model's mode: the version,
 * the date, the command line and the options in effect.
 */
export type RunFacts = Omit<ReportFacts, 'inputs' | 'outputs' | 'mode'>;

/**
 * The facts of the run of `command` (as commander parsed it from `argv`): every option that has a
 * value, by its long flag, defaults marked; a flag that takes no value shows as `yes`, and a
 * negated flag (`--no-eb`) only when given.
 */
export function runFacts(command: Command, argv: readonly string[], version: string): RunFacts {
  const options: [string, string][] = [];
  for (const option of command.options) {
    const value: unknown = command.getOptionValue(option.attributeName());
    if (value === undefined || option.long === undefined || option.long === '--version') continue;
    if (option.negate && value !== false) continue;
    if (!option.negate && value === false) continue;
    const shown = value === true || value === false ? 'yes' : Array.isArray(value) ? value.map(String).join(',') : String(value);
    if (Array.isArray(value) && value.length === 0) continue;
    options.push([option.long, command.getOptionValueSource(option.attributeName()) === 'default' ? `${shown} (default)` : shown]);
  }
  return { version, date: new Date(), command: ['combat', ...argv], options };
}

/** The files of a run with their roles, for its report: those given (a path that is undefined was not asked for). */
export function namedPaths(...files: (readonly [role: string, path: string | undefined])[]): [string, string][] {
  return files.flatMap(([role, path]) => (path === undefined ? [] : [[role, path] as [string, string]]));
}
