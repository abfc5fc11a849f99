import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ImageBuilder } from '@repoforge/sandbox/docker';
import {
  baseImage,
  makePythonSample,
  registryHost,
  sampleEnvSpecs,
  skipWithoutDocker,
  skipWithoutRegistry,
  tempDir,
} from '@repoforge/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvalScript, type RepoSource, runEvaluation } from './index.js';

const skip = (await skipWithoutDocker()) || (await skipWithoutRegistry());

/**
 * `--use-instance-images` as a user with a registry meets it: the row names `swebench/sweb.eval...:latest`,
 * the engine has no such image, and the harness pulls it (here from a registry on 127.0.0.1 holding an image
 * pushed by the test, through SWE-bench's namespace convention) and runs the row's own eval_script in it,
 * without resolving or cloning the repo.
 */
describe.skipIf(skip)('official instance images', () => {
  let root: { path: string } & AsyncDisposable;
  const builder = new ImageBuilder();
  const name = `sweb.eval.x86_64.acme_1776_calc-1:${Date.now()}`;
  const pushed = `${registryHost}/swebench/${name}`;
  beforeAll(async () => {
    root = await tempDir('repoforge-instance-image-');
  });
  afterAll(async () => {
    await builder.docker
      .getImage(pushed)
      .remove({ force: true })
      .catch(() => undefined);
    await root?.[Symbol.asyncDispose]();
  });

  it('pulls a missing image from the registry and runs the eval_script in it', async () => {
    const { instance } = await makePythonSample(join(root.path, 'repos'));
    const repoDir = join(root.path, 'repos', 'acme', 'calc');
    // The "official" image: the environment plus the repo at its base commit in /testbed, as SWE-bench's are.
    const env = sampleEnvSpecs(baseImage)['acme/calc']!['*']!;
    const envImage = (await builder.build({ dockerfile: env.dockerfile as string })).tag;
    const { tag } = await builder.build({
      dockerfile: `FROM ${envImage}\nCOPY . /testbed\nRUN cd /testbed && git checkout -q -f ${instance.base_commit} && git config --global --add safe.directory /testbed\n`,
      context: repoDir,
      tag: pushed,
    });
    const push = (await builder.docker
      .getImage(tag)
      .push({ authconfig: { serveraddress: registryHost } } as never)) as unknown as Readable;
    await new Promise<void>((resolve, reject) =>
      builder.docker.modem.followProgress(push, (e: Error | null) => (e ? reject(e) : resolve())),
    );
    await builder.docker.getImage(pushed).remove({ force: true });
    expect(await builder.exists(pushed)).toBe(false);

    const evalScript = makeEvalScript({
      repoDir: '/testbed',
      baseCommit: instance.base_commit,
      testPatch: instance.test_patch,
      testCmd: env.test_cmd,
    });
    const noRepo: RepoSource = {
      resolve: (repo) => Promise.reject(new Error(`the repo ${repo} was resolved`)),
    };
    const result = await runEvaluation({
      dataset: [
        { ...instance, image: `swebench/${name}`, eval_script: evalScript, log_parser: 'parse_log_pytest' },
      ],
      predictions: 'gold',
      runId: 'official',
      reportDir: root.path,
      envSpecs: {},
      repoSource: noRepo,
      useInstanceImages: true,
      instanceImageNamespace: `${registryHost}/swebench`,
    });
    expect(result.outcomes.map((o) => o.error)).toEqual([undefined]);
    expect(result.summary.resolved_ids).toEqual(['acme__calc-1']);
    expect(await builder.exists(pushed)).toBe(true);
  });

  it('names the image when the registry does not have it', async () => {
    const { instance } = await makePythonSample(join(root.path, 'repos2'));
    const result = await runEvaluation({
      dataset: [
        {
          ...instance,
          image: 'swebench/sweb.eval.x86_64.nope:latest',
          eval_script: '#!/bin/bash\n',
          log_parser: 'parse_log_pytest',
        },
      ],
      predictions: 'gold',
      runId: 'missing',
      reportDir: root.path,
      envSpecs: {},
      repoSource: { resolve: () => Promise.reject(new Error('unused')) },
      useInstanceImages: true,
      instanceImageNamespace: `${registryHost}/swebench`,
    });
    expect(result.summary.error_ids).toEqual(['acme__calc-1']);
    expect(result.outcomes[0]!.error).toMatch(
      /pulling 127\.0\.0\.1:5000\/swebench\/sweb\.eval\.x86_64\.nope:latest failed/,
    );
  });
});
