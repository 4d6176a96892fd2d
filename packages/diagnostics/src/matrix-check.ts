import { checkInteger, checkObject, refuseArgument } from '@combat/base/internal';
import { EmptyInputError, InvalidValueError, ShapeMismatchError, type DataMatrix } from '@combat/core';

/** A data matrix argument: a Float64Array or Float32Array of samples x features values, one of each at least. */
export function checkMatrix(matrix: DataMatrix): { samples: number; features: number } {
  checkObject(matrix, 'matrix', 'an object { data, samples, features }');
  const { data, samples, features } = matrix;
  if (!(data instanceof Float64Array) && !(data instanceof Float32Array)) refuseArgument('matrix.data', 'a Float64Array or Float32Array', data);
  checkInteger(samples, 'matrix.samples', 0);
  checkInteger(features, 'matrix.features', 0);
  if (samples < 1 || features < 1) throw new EmptyInputError(`expected at least one sample and one feature; found samples = ${samples}, features = ${features}`);
  if (data.length !== samples * features) throw new ShapeMismatchError(`data has ${data.length} values; expected samples x features = ${samples} x ${features} = ${samples * features}`);
  return { samples, features };
}

/** Every value of a checked matrix finite or NaN (missing). */
export function checkFiniteOrMissing(matrix: DataMatrix): void {
  const { data, features } = matrix;
  for (let k = 0; k < data.length; k++) {
    const x = data[k] as number;
    if (!Number.isFinite(x) && !Number.isNaN(x)) {
      throw new InvalidValueError(`value is ${x}; expected a finite number or NaN for a missing value`, { sample: Math.floor(k / features), feature: k % features });
    }
  }
}
