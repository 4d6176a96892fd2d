/**
 * The longitudinal scenario of `pnpm bench`: 1,000 scans x 300 features (subjects scanned 1 to 5
 * times at 4 sites, covariates age and sex), timed in-process through `harmonizeLongitudinal` (the
 * REML fit of every feature's mixed model, then the standardization, priors and 30 EB
 * iterations); beside it, when `Rscript` with lme4 is installed, lme4's `lmer` fitting the same
 * 300 models on the same table as longCombat calls it (REML, bobyqa). Prints figures; asserts
 * nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { harmonizeLongitudinal } from '../src/index.js';
// The test helpers' generator, by path: the bench runs compiled JavaScript, and @combat/test-support is TypeScript.
import { longitudinalStudy } from '../../../test-support/src/longitudinal-study.js';

const FEATURES = 300;
const RUNS = 7;

/** lme4's time for the 300 fits (elapsed seconds), run as longCombat runs them. */
const LME4_SCRIPT = `
suppressMessages(library(lme4))
d <- read.csv(commandArgs(trailingOnly = TRUE)[1], stringsAsFactors = FALSE)
features <- grep("^f[0-9]+$", names(d), value = TRUE)
fit <- function() for (f in features) lme4::lmer(as.formula(paste0(f, " ~ age + sex + site + (1|subid)")), data = d, REML = TRUE, control = lme4::lmerControl(optimizer = "bobyqa"))
fit()
times <- sapply(1:3, function(r) system.time(fit())[["elapsed"]])
cat(sprintf("%.3f %.3f %s\\n", median(times), min(times), as.character(packageVersion("lme4"))))
`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Times the scenario and prints a line for it, and one for lme4 (or why it was skipped). */
export function benchLongitudinal(): void {
  const study = longitudinalStudy({ seed: 2026, subjects: 333, maxVisits: 5, sites: 4, features: FEATURES, subjectSd: 0.8, movers: false });
  const { matrix, covariates, subject } = study;
  harmonizeLongitudinal(matrix, covariates, { subject }); // warm-up
  const seconds: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    harmonizeLongitudinal(matrix, covariates, { subject });
    seconds.push((performance.now() - start) / 1000);
  }
  const scans = `n=${matrix.samples} scans of ${new Set(subject).size} subjects, V=${FEATURES}`;
  console.log(`longitudinal    ${scans}  median ${median(seconds).toFixed(3)} s  min ${Math.min(...seconds).toFixed(3)} s  (${RUNS} runs; the whole harmonizeLongitudinal)`);
  console.log(`lme4            ${scans}  ${timeLme4(study)}`);
}

function timeLme4(study: ReturnType<typeof longitudinalStudy>): string {
  if (spawnSync('Rscript', ['-e', 'library(lme4)'], { encoding: 'utf8' }).status !== 0) return 'skipped: Rscript with lme4 is not installed (apt-get install r-cran-lme4)';
  const dir = mkdtempSync(join(tmpdir(), 'combat-bench-'));
  try {
    const { matrix, covariates, subject } = study;
    const V = matrix.features;
    const header = ['subid', 'site', 'age', 'sex', ...Array.from({ length: V }, (_, v) => `f${String(v).padStart(3, '0')}`)];
    const lines = Array.from({ length: matrix.samples }, (_, i) =>
      [subject[i], covariates.batch[i], covariates.continuous.age[i], covariates.categorical.sex[i], ...Array.from(matrix.data.subarray(i * V, (i + 1) * V), (y) => y.toPrecision(17))].join(','),
    );
    writeFileSync(join(dir, 'table.csv'), [header.join(','), ...lines].join('\n'));
    writeFileSync(join(dir, 'lme4.R'), LME4_SCRIPT);
    const run = spawnSync('Rscript', [join(dir, 'lme4.R'), join(dir, 'table.csv')], { encoding: 'utf8' });
    if (run.status !== 0) return `skipped: Rscript failed (${run.stderr.trim().split('\n').pop()})`;
    const [med, min, version] = run.stdout.trim().split(' ');
    return `median ${med} s  min ${min} s  (3 runs of the 300 lmer fits alone, lme4 ${version}, REML, bobyqa, as longCombat)`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
