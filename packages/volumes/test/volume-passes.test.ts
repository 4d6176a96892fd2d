import { InMemoryVolumeResource, InvalidArgumentError, InputReadError, type Volume, type VolumeResource, type VoxelArray } from '@combat/base';
import { describe, expect, it } from 'vitest';
import { VolumeShapeError, adjustVolumes, harmonizeVolumes, harmonizeVolumesStreaming, maskIndices, type HarmonizeVolumesOptions, type VolumeSink } from '../src/index.js';
import { siteVolumes, volume } from './synthetic-volumes.js';

const { volumes, withAge, mask } = siteVolumes();
const loaded = await Promise.all(volumes.map((v) => v.load()));
const maskVolume = await mask.load();
const inside = maskIndices(maskVolume).length;

/** The synthetic volumes with their voxels in another type (integers: scaled and rounded). */
function asType(make: (data: Volume['data']) => VoxelArray): InMemoryVolumeResource[] {
  return loaded.map((v, i) => new InMemoryVolumeResource(volume(make(v.data)), volumes[i]!.source));
}
const types = {
  float64: volumes,
  float32: asType((data) => Float32Array.from(data)),
  int16: asType((data) => Int16Array.from(data, (y) => Math.round(1000 * y))),
  // A subclass of a voxel array, kept as its base type.
  'uint8 in a Node Buffer': asType((data) => Buffer.from(Uint8Array.from(data, (y) => Math.round(100 * y)))),
};

/** Resources that record each load, and how many loads were under way at most at once. */
function watched(resources: readonly VolumeResource[], delay = 0) {
  const loads: number[] = [];
  let running = 0;
  let most = 0;
  const wrapped = resources.map((r, i) => ({
    source: r.source,
    load: async () => {
      loads.push(i);
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, delay));
      running--;
      return r.load();
    },
  }));
  return { wrapped, loads, most: () => most };
}

/** Harmonizes through the streaming path, collecting the volumes. */
async function streamed(resources: readonly VolumeResource[], options: Omit<HarmonizeVolumesOptions, 'mask'> = {}): Promise<Volume[]> {
  const out: Volume[] = [];
  await harmonizeVolumesStreaming(resources, withAge, (v, i) => void (out[i] = v), { mask, ...options });
  return out;
}

/** Bytes of the in-mask voxels of one volume in its type. */
const keptBytes = (data: VoxelArray) => inside * data.BYTES_PER_ELEMENT;

describe('each volume read once within the memory budget, the same volumes either way', () => {
  for (const [type, resources] of Object.entries(types)) {
    it(`${type} volumes: read once, twice without a budget, or partly: bit for bit the same`, async () => {
      const once = watched(resources);
      const kept = await streamed(once.wrapped);
      expect(once.loads).toEqual(resources.map((_, i) => i));
      const twice = watched(resources);
      const reread = await streamed(twice.wrapped, { memoryBudget: 0 });
      expect(twice.loads).toEqual([...resources.map((_, i) => i), ...resources.map((_, i) => i)]);
      expect(kept).toEqual(reread);
      // Room for four volumes' in-mask voxels: the others are read again, in order.
      const room = 4 * keptBytes((await resources[0]!.load()).data);
      const partly = watched(resources);
      expect(await streamed(partly.wrapped, { memoryBudget: room })).toEqual(reread);
      expect(partly.loads).toEqual([...resources.map((_, i) => i), ...resources.map((_, i) => i).slice(4)]);
    });
  }

  it('keeps whole volumes with preserveOutOfMask: the out-of-mask voxels as they were', async () => {
    const once = watched(types.float32);
    const kept = await streamed(once.wrapped, { preserveOutOfMask: true });
    expect(once.loads).toHaveLength(volumes.length);
    expect(kept).toEqual(await streamed(types.float32, { preserveOutOfMask: true, memoryBudget: 0 }));
    kept.forEach((v, i) => v.data.forEach((y, at) => maskVolume.data[at] === 0 && expect(y).toBe(types.float32[i]!.volume.data[at])));
    // Room for two whole volumes (every voxel, and those in the mask as kept otherwise).
    const whole = types.float32[0]!.volume.data;
    const tight = watched(types.float32);
    await streamed(tight.wrapped, { preserveOutOfMask: true, memoryBudget: 2 * (whole.byteLength + keptBytes(whole)) });
    expect(tight.loads).toEqual([...volumes.map((_, i) => i), ...volumes.map((_, i) => i).slice(2)]);
  });

  it('gives what harmonizeVolumes and adjustVolumes give', async () => {
    const { harmonized, estimates } = await harmonizeVolumes(volumes, withAge, { mask, memoryBudget: 0 });
    expect(await streamed(volumes)).toEqual(harmonized);
    for (const memoryBudget of [0, undefined]) {
      const applied: Volume[] = [];
      const once = watched(volumes);
      await adjustVolumes(estimates, once.wrapped, withAge, (v, i) => void (applied[i] = v), memoryBudget === undefined ? {} : { memoryBudget });
      expect(applied).toEqual(harmonized);
      expect(once.loads).toHaveLength((memoryBudget === 0 ? 2 : 1) * volumes.length);
    }
  });

  it('refuses a memory budget that is not a whole number of bytes', async () => {
    for (const memoryBudget of [-1, 1.5, '1G', Number.NaN]) {
      const options = { mask, memoryBudget } as unknown as HarmonizeVolumesOptions;
      await expect(harmonizeVolumesStreaming(volumes, withAge, () => undefined, options)).rejects.toThrow(InvalidArgumentError);
      await expect(harmonizeVolumesStreaming(volumes, withAge, () => undefined, options)).rejects.toThrow(/^options\.memoryBudget: expected an integer of at least 0; received /);
      const { estimates } = await harmonizeVolumes(volumes, withAge, { mask });
      await expect(adjustVolumes(estimates, volumes, withAge, () => undefined, { memoryBudget } as never)).rejects.toThrow(/^options\.memoryBudget: expected an integer of at least 0/);
    }
  });
});

describe('several volumes in flight, in order', () => {
  it('reads the next volumes while one is worked on, a few at most', async () => {
    const ahead = watched(volumes, 5);
    expect(await streamed(ahead.wrapped, { memoryBudget: 0 })).toEqual(await streamed(volumes));
    expect(ahead.most()).toBeGreaterThan(1);
    expect(ahead.most()).toBeLessThanOrEqual(3);
  });

  it('lets the sink write while the next volumes are adjusted, a few at most, in order, all settled before it returns', async () => {
    const started: number[] = [];
    let pending = 0;
    let most = 0;
    let settled = 0;
    const sink: VolumeSink = async (_, i) => {
      started.push(i);
      most = Math.max(most, ++pending);
      await new Promise((resolve) => setTimeout(resolve, 5));
      pending--;
      settled++;
    };
    await harmonizeVolumesStreaming(volumes, withAge, sink, { mask });
    expect(started).toEqual(volumes.map((_, i) => i));
    expect(settled).toBe(volumes.length);
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(3);
  });

  it('a sink that fails: the error, once every other call has settled', async () => {
    for (const fail of [(i: number) => Promise.reject(new Error(`cannot write ${i}`)), (i: number) => { throw new Error(`cannot write ${i}`); }]) {
      let settled = 0;
      let settledAtFailure = -1;
      const sink: VolumeSink = async (_, i) => {
        if (i === 6) return fail(i);
        await new Promise((resolve) => setTimeout(resolve, 10 * (i % 3)));
        settled++;
      };
      const run = harmonizeVolumesStreaming(volumes, withAge, (v, i) => sink(v, i), { mask }).catch((error: unknown) => {
        settledAtFailure = settled;
        return error;
      });
      expect(await run).toMatchObject({ message: 'cannot write 6' });
      // Volumes 0 to 5 had settled, and those started after 6 settled before the error came.
      expect(settledAtFailure).toBeGreaterThanOrEqual(7);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(settledAtFailure);
    }
  });

  it('a volume that cannot be read: its own error, in its turn, none from the volumes read ahead', async () => {
    const unreadable = (r: VolumeResource, i: number) => new InputReadError(r.source!, new Error(`ENOENT ${i}`));
    // A load() that rejects, and one that throws.
    const rejecting = (bad: ReadonlySet<number>) => volumes.map((r, i) => (bad.has(i) ? { source: r.source, load: () => Promise.reject(unreadable(r, i)) } : r));
    const throwing = (bad: ReadonlySet<number>) => volumes.map((r, i) => (bad.has(i) ? { source: r.source, load: () => { throw unreadable(r, i); } } : r));
    for (const failing of [rejecting, throwing]) {
      await expect(streamed(failing(new Set([5, 6, 7])))).rejects.toThrow(`${volumes[5]!.source}: cannot be read: ENOENT 5`);
      // A volume that fails its check is reported before a later one that cannot be read.
      const small = new InMemoryVolumeResource(volume(new Float64Array(8), [2, 2, 2]), 'small');
      const mixed = failing(new Set([4, 5])).map((r, i) => (i === 3 ? small : r));
      await expect(streamed(mixed)).rejects.toThrow(VolumeShapeError);
      await expect(streamed(mixed)).rejects.toThrow('small has shape 2x2x2');
    }
  });
});

/** Resources that can also load their voxels at some indices only (as NiftiFileResource can), recording how each was loaded. */
function voxelLoading(resources: readonly VolumeResource[]) {
  const calls: string[] = [];
  const wrapped = resources.map((r, i) => ({
    source: r.source,
    load: async () => {
      calls.push(`load ${i}`);
      return r.load();
    },
    loadVoxels: async (indices: Int32Array) => {
      calls.push(`voxels ${i}`);
      const { data, ...image } = await r.load();
      const Voxels = (data instanceof Buffer ? Uint8Array : data.constructor) as new (length: number) => VoxelArray;
      const voxels = new Voxels(indices.length);
      indices.forEach((at, k) => (voxels[k] = data[at]!));
      return { image, voxels };
    },
  }));
  return { wrapped, calls };
}

describe('resources that load only the voxels in the mask (loadVoxels)', () => {
  for (const [type, resources] of Object.entries(types)) {
    it(`${type} volumes: loaded that way, kept or read again, bit for bit what whole volumes give`, async () => {
      const expected = await streamed(resources);
      for (const memoryBudget of [undefined, 0, 4 * keptBytes((await resources[0]!.load()).data)]) {
        const { wrapped, calls } = voxelLoading(resources);
        expect(await streamed(wrapped, memoryBudget === undefined ? {} : { memoryBudget })).toEqual(expected);
        // Volume 0 is loaded whole once, to check the mask's shape against it; the rest in-mask voxels only.
        expect(calls.filter((call) => call.startsWith('load'))).toEqual(['load 0']);
      }
      const { wrapped } = voxelLoading(resources);
      const adjusted: Volume[] = [];
      const { estimates } = await harmonizeVolumesStreaming(resources, withAge, () => undefined, { mask });
      await adjustVolumes(estimates, wrapped, withAge, (v, i) => void (adjusted[i] = v));
      expect(adjusted).toEqual(expected);
    });
  }

  it('loads whole volumes with preserveOutOfMask', async () => {
    const { wrapped, calls } = voxelLoading(types.float32);
    expect(await streamed(wrapped, { preserveOutOfMask: true })).toEqual(await streamed(types.float32, { preserveOutOfMask: true }));
    expect(calls.every((call) => call.startsWith('load'))).toBe(true);
  });

  it('refuses a volume of another shape, an infinite voxel or another affine with the messages whole volumes get', async () => {
    const messages = async (resources: readonly VolumeResource[]) => {
      const { estimates } = await harmonizeVolumesStreaming(types.float64, withAge, () => undefined, { mask });
      return adjustVolumes(estimates, resources, withAge, () => undefined).then(
        () => 'no error',
        (error: Error) => `${error.name}: ${error.message}`,
      );
    };
    const infinite = Float64Array.from(loaded[3]!.data);
    infinite[maskIndices(maskVolume)[7]!] = -Infinity;
    const moved = { ...loaded[3]!, affine: loaded[3]!.affine.map((x, k) => (k === 3 ? x + 1 : x)) };
    const bad = [
      new InMemoryVolumeResource(volume(new Float64Array(4 * 4 * 4), [4, 4, 4]), 'small.nii.gz'),
      new InMemoryVolumeResource({ ...loaded[3]!, data: infinite }, 'infinite.nii.gz'),
      new InMemoryVolumeResource(moved, 'moved.nii.gz'),
    ];
    for (const resource of bad) {
      const resources = types.float64.map((r, i) => (i === 3 ? resource : r));
      const expected = await messages(resources);
      expect(expected).toMatch(/^(VolumeShapeError|InvalidValueError|AffineMismatchError): /);
      expect(await messages(voxelLoading(resources).wrapped)).toBe(expected);
    }
  });
});
