/**
 * How a Node worker thread of workerpool (`workerThreadOpts: { eval: true }`) loads a package's
 * worker module `name` (a file beside the module at `moduleUrl`, without its extension): the code
 * to evaluate, and the worker's `execArgv`. From the build it imports the worker's JavaScript; from
 * the TypeScript sources (this repository's tests and `pnpm combat`), it registers tsx first and
 * imports the TypeScript, with the `source` export condition.
 */
export function workerThreadSource(moduleUrl: string, name: string): { code: string; execArgv: string[] } {
  const fromSource = moduleUrl.endsWith('.ts');
  // The URL of the file beside the module (string work only: this package's code also builds without DOM or Node types).
  const script = JSON.stringify(moduleUrl.replace(/[^/]*$/, `${name}${fromSource ? '.ts' : '.js'}`));
  if (!fromSource) return { code: `import(${script})`, execArgv: [] };
  const tsx = JSON.stringify((import.meta as ImportMeta & { resolve(specifier: string): string }).resolve('tsx/esm/api'));
  return { code: `import(${tsx}).then((tsx) => { tsx.register(); return import(${script}); })`, execArgv: ['--conditions=source'] };
}
