/**
 * What the examples of @combat/io-arrow use without declaring it, made in each example's working
 * directory: `data.csv` (8 subjects at 2 sites, with sex, age and 3 regional measures, one
 * missing) read as `table`, a model fitted on it, as `model` and as `model.arrow` (also its
 * bytes, `modelBytes`), and its statistics (core's, as an accumulator gives them) as `statistics`.
 */
import { writeFile } from 'node:fs/promises';
import { CombatAccumulator, codeDesign, harmonize } from '@combat/core';
import { covariatesFromTable, encodeModelFile, tableMatrix } from '@combat/io-arrow';
import { readTable } from '@combat/io-arrow/node';

const DATA = [
  'subject,site,sex,age,lh_x,lh_y,rh_x',
  'sub-001,A,F,61,2.1,3.4,1.2',
  'sub-002,A,M,47,2.5,3.1,1.0',
  'sub-003,A,F,52,2.3,NA,1.3',
  'sub-004,A,M,58,2.8,3.6,1.1',
  'sub-005,B,F,49,3.1,4.0,1.7',
  'sub-006,B,M,66,3.4,4.4,1.9',
  'sub-007,B,F,55,3.0,4.1,1.6',
  'sub-008,B,M,60,3.6,4.6,2.0',
  '',
].join('\n');

export async function context() {
  await writeFile('data.csv', DATA);
  const table = await readTable('data.csv');
  const columns = { batch: 'site', categorical: ['sex'], continuous: ['age'] };
  const features = ['lh_x', 'lh_y', 'rh_x'];
  const matrix = tableMatrix(table, features);
  const covariates = covariatesFromTable(table, columns);
  const { model } = harmonize(matrix, covariates);
  const modelBytes = encodeModelFile(model, { featureNames: features, columns, idColumn: 'subject' });
  await writeFile('model.arrow', modelBytes);
  const statistics = new CombatAccumulator(codeDesign(covariates), features.length).add(matrix, covariates).statistics();
  return { table, model, modelBytes, statistics };
}
