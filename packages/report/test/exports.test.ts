import * as report from '@combat/report';
import * as internal from '@combat/report/internal';
import { expect, test } from 'vitest';

test('the export lists are pinned', () => {
  expect(Object.keys(report).sort()).toEqual(['renderReport', 'toSvg']);
  expect(Object.keys(internal).sort()).toEqual(['FEATURE_ROWS', 'escape']);
});
