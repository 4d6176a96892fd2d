import { requireColumn, type CovariateColumns, type Table } from '@combat/io-arrow';
import { inField } from './explain.js';

/**
 * The model's columns in the tables, as the CLI checks them (`requireColumn`'s words): the
 * features in the data; the batch and covariates in the covariates table when given (paired by
 * the id column), else in the data.
 */
export function checkModelColumns(data: Table, covariates: Table | null, features: readonly string[], columns: CovariateColumns, id: string | null): void {
  inField('data-file', () => {
    if (id !== null) requireColumn(data, id, 'id column');
    for (const name of features) requireColumn(data, name, 'feature column');
  });
  const roles: [readonly string[], string][] = [
    [[columns.batch], 'batch column'],
    [columns.categorical ?? [], 'categorical column'],
    [columns.continuous ?? [], 'continuous column'],
  ];
  inField(covariates === null ? 'data-file' : 'covars-file', () => {
    const holder = covariates ?? data;
    if (covariates !== null && id !== null) requireColumn(covariates, id, 'id column');
    for (const [names, role] of roles) for (const name of names) requireColumn(holder, name, role);
  });
}

