import type { Sandbox, SandboxOptions } from '@repoforge/sandbox';
import { describe, expect, it } from 'vitest';
import { TESTBED_TMPFS } from './eval-sandbox.js';
import { evalPoolKey, evalSandboxCreator } from './index.js';

describe('eval sandboxes', () => {
  it('a sandbox the repo is checked out into gets a tmpfs /testbed; an instance image keeps its own', async () => {
    const made: SandboxOptions[] = [];
    const create = evalSandboxCreator(
      async (o) => {
        made.push(o);
        return {} as Sandbox;
      },
      { runId: 'r1' },
    );
    await create(evalPoolKey('repoforge/env:abc', true));
    await create(evalPoolKey('swebench/sweb.eval.x86_64.django_1776_django-11099:latest', false));
    expect(made[0]).toMatchObject({
      image: 'repoforge/env:abc',
      network: 'none',
      runId: 'r1',
      tmpfs: TESTBED_TMPFS,
    });
    expect(made[1]).toMatchObject({
      image: 'swebench/sweb.eval.x86_64.django_1776_django-11099:latest',
      network: 'none',
    });
    expect(made[1]!.tmpfs).toBeUndefined();
    expect(TESTBED_TMPFS['/testbed']).toMatch(/(^|,)exec(,|$)/);
  });
});
