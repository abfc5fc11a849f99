import { describe, expect, it } from 'vitest';
import { datasetStorage, shareEnvironments } from './index.js';
import { unusedPackages } from './slim.js';

describe('shareEnvironments', () => {
  it('tries existing images first, builds only when nothing validates, then folds images', async () => {
    // Instances 1-3 need deps v1; 4-5 need v2; instance 3 also works on v2. Own images follow the plan.
    const own: Record<string, string> = {
      a1: 'img-v1',
      a2: 'img-v1',
      a3: 'img-v1',
      a4: 'img-v2',
      a5: 'img-v2',
      b1: 'img-b',
    };
    const works: Record<string, string[]> = {
      a1: ['img-v1'],
      a2: ['img-v1'],
      a3: ['img-v1', 'img-v2'],
      a4: ['img-v2'],
      a5: ['img-v2'],
      b1: ['img-b'],
    };
    const built: string[] = [];
    const r = await shareEnvironments({
      instances: ['a1', 'a2', 'a3', 'a4', 'a5', 'b1'].map((id, i) => ({
        id,
        repo: id[0]!,
        createdAt: `2024-01-0${i + 1}`,
      })),
      ownImage: async (i) => {
        built.push(i.id);
        return own[i.id]!;
      },
      validate: async (i, image) => works[i.id]!.includes(image),
    });
    expect(built).toEqual(['a1', 'a4', 'b1']);
    expect(r.built).toBe(3);
    expect(Object.fromEntries(r.assignment)).toEqual({
      a1: 'img-v1',
      a2: 'img-v1',
      a3: 'img-v1',
      a4: 'img-v2',
      a5: 'img-v2',
      b1: 'img-b',
    });
    expect(r.images.get('img-v1')).toEqual(['a1', 'a2', 'a3']);
  });

  it('folds an image away when all its instances validate elsewhere', async () => {
    const r = await shareEnvironments({
      instances: [
        { id: 'x1', repo: 'r', createdAt: '1' },
        { id: 'x2', repo: 'r', createdAt: '2' },
      ],
      ownImage: async (i) => (i.id === 'x1' ? 'old' : 'new'),
      // x1 only validated on its own at first; later (e.g. a newer image) both work on "new".
      validate: async (i, image) => image === 'new' || (i.id === 'x1' && image === 'old'),
    });
    expect(r.images.size).toBe(1);
    expect(Object.fromEntries(r.assignment)).toEqual({ x1: 'new', x2: 'new' });
  });
});

describe('datasetStorage', () => {
  it('amortizes shared bytes and compares with one image per instance', () => {
    const report = { images: [], totalBytes: 300, sharedBytes: 100, unsharedBytes: 500, layerCount: 3 };
    const s = datasetStorage({
      report,
      imageOf: new Map([
        ['i1', 'A'],
        ['i2', 'A'],
        ['i3', 'B'],
      ]),
      imageSizeOf: (img) => (img === 'A' ? 200 : 250),
      repoBytes: new Map([
        ['i1', 10],
        ['i2', 10],
        ['i3', 20],
      ]),
      repoCacheBytes: 30,
    });
    expect(s).toMatchObject({
      instances: 3,
      images: 2,
      totalBytes: 330,
      baselineBytes: 210 + 210 + 270,
      amortizedBytesPerInstance: 110,
    });
    expect(s.ratio).toBeCloseTo(690 / 330, 2);
  });
});

describe('access trace', () => {
  it('proposes top-level packages (scoped ones whole) that no traced path falls in', () => {
    const root = '/opt/deps/node_modules';
    const installed = [
      `${root}/mocha`,
      `${root}/chokidar`,
      `${root}/@babel/core`,
      `${root}/@babel/parser`,
      `${root}/.bin`,
    ];
    const loaded = new Set([
      `${root}/mocha/lib/cli.js`,
      `${root}/@babel/core/lib/index.js`,
      '/testbed/lib/x.js',
    ]);
    expect(unusedPackages(installed, loaded, [root])).toEqual([`${root}/chokidar`, `${root}/@babel/parser`]);
  });
});
