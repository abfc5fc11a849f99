import type { Instance } from '@repoforge/schema';
import { describe, expect, it } from 'vitest';
import {
  buildDatasetEnvs,
  type DatasetEnvOptions,
  shareDatasetEnvs,
  slimDatasetEnvs,
} from './dataset-envs.js';

const inst = (n: number): Instance => ({
  repo: 'acme/lib',
  instance_id: `acme__lib-${n}`,
  base_commit: 'a'.repeat(40),
  patch: '',
  test_patch: '',
  problem_statement: '',
  hints_text: '',
  created_at: `2024-01-0${n}`,
  version: '1',
  FAIL_TO_PASS: [],
  PASS_TO_PASS: [],
});

function options(signal: AbortSignal, made: string[]): DatasetEnvOptions {
  return {
    dataset: [inst(1), inst(2)],
    images: new Map([
      ['acme__lib-1', 'img:1'],
      ['acme__lib-2', 'img:2'],
    ]),
    envs: { envOf: () => Promise.reject(new Error('not reached')) },
    repoSource: { resolve: () => Promise.reject(new Error('not reached')) },
    createSandbox: async (o) => {
      made.push(String(o.image));
      throw new Error('not reached');
    },
    signal,
  };
}

describe('sharing and slimming a dataset', () => {
  it('an aborted signal stops both passes before any sandbox is made, leaving the images as they were', async () => {
    const made: string[] = [];
    const signal = AbortSignal.abort();
    const o = options(signal, made);
    await expect(shareDatasetEnvs(o)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(slimDatasetEnvs(o)).rejects.toMatchObject({ name: 'AbortError' });
    expect(made).toEqual([]);
    expect([...o.images.values()]).toEqual(['img:1', 'img:2']);
  });
});

describe('buildDatasetEnvs', () => {
  const envs = {
    envOf: async (i: Instance) => {
      if (i.instance_id.endsWith('-2')) throw new Error('install failed');
      return { image: `img-${i.instance_id}`, plan: { networkTests: ['t_net'] } as never };
    },
  };

  it('collects images, network tests and, with keepGoing, failures', async () => {
    const got = await buildDatasetEnvs({ dataset: [inst(1), inst(2)], envs, keepGoing: true });
    expect(Object.fromEntries(got.images)).toEqual({ 'acme__lib-1': 'img-acme__lib-1' });
    expect(Object.fromEntries(got.networkTests)).toEqual({ 'acme__lib-1': ['t_net'] });
    expect(Object.fromEntries(got.failures)).toEqual({ 'acme__lib-2': 'install failed' });
  });

  it('throws the first failure without keepGoing', async () => {
    await expect(buildDatasetEnvs({ dataset: [inst(1), inst(2)], envs })).rejects.toThrow('install failed');
  });
});
