import { expect, test } from 'vitest';
import * as threads from '@combat/threads';

test('the export list is pinned', () => {
  expect(Object.keys(threads).sort()).toEqual(['CombatThreads']);
});
