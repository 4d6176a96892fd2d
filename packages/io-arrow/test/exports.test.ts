import { describe, expect, it } from 'vitest';
import { TableFormatError } from '@combat/io-arrow';

describe('the entry points export exactly their API', () => {
  it('@combat/io-arrow', async () => {
    expect(Object.keys(await import('@combat/io-arrow')).sort()).toEqual([
      'TableFormatError',
      'covariatesFromTable',
      'decodeArrowTable',
      'decodeModelFile',
      'decodeTableText',
      'describeRow',
      'encodeArrowTable',
      'encodeModelFile',
      'formatDelimited',
      'numericValues',
      'parseDelimited',
      'requireColumn',
      'sealModelFile',
      'selectRows',
      'tableFromColumns',
      'tableMatrix',
    ]);
  });

  it('@combat/io-arrow/node', async () => {
    expect(Object.keys(await import('@combat/io-arrow/node')).sort()).toEqual(['encodeTableFile', 'readModel', 'readTable', 'tableFormat', 'writeModel', 'writeTable']);
  });

  it('every error class has its own name', () => {
    expect(new TableFormatError('x').name).toBe('TableFormatError');
  });
});
