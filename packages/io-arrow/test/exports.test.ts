import { describe, expect, it } from 'vitest';
import { StatisticsFormatError, TableFormatError } from '@combat/io-arrow';

describe('the entry points export exactly their API', () => {
  it('@combat/io-arrow', async () => {
    expect(Object.keys(await import('@combat/io-arrow')).sort()).toEqual([
      'StatisticsFormatError',
      'TableEncoder',
      'TableFormatError',
      'covariatesFromTable',
      'decodeArrowTable',
      'decodeModelFile',
      'decodeStatisticsFile',
      'decodeTableText',
      'describeRow',
      'encodeArrowTable',
      'encodeModelFile',
      'encodeStatisticsFile',
      'formatDelimited',
      'numericValues',
      'pairRows',
      'parseDelimited',
      'requireColumn',
      'sameCell',
      'sealModelFile',
      'selectRows',
      'tableFromColumns',
      'tableMatrix',
      'uniqueIds',
    ]);
  });

  it('@combat/io-arrow/node', async () => {
    expect(Object.keys(await import('@combat/io-arrow/node')).sort()).toEqual(['encodeTableFile', 'openTable', 'readModel', 'readStatistics', 'readTable', 'tableFormat', 'writeModel', 'writeStatistics', 'writeTable']);
  });

  it('every error class has its own name', () => {
    expect(new TableFormatError('x').name).toBe('TableFormatError');
    expect(new StatisticsFormatError('x').name).toBe('StatisticsFormatError');
  });
});
