import { describe, expect, it } from 'vitest';
import { registryUsage } from './registry-usage.js';

/** A registry API answering from a table (catalog, tags, manifests); anything else is a 404. */
function fakeRegistry(answers: Record<string, unknown>): { fetch: typeof fetch; asked: string[] } {
  const asked: string[] = [];
  const fetchFn = (async (url: string | URL) => {
    asked.push(String(url));
    const body = answers[new URL(String(url)).pathname];
    return new Response(JSON.stringify(body ?? {}), { status: body ? 200 : 404 });
  }) as typeof fetch;
  return { fetch: fetchFn, asked };
}

const blob = (d: string, size: number) => ({ digest: `sha256:${d}`, size });

describe('registryUsage', () => {
  it('counts the images under the prefix, each shared blob once', async () => {
    const reg = fakeRegistry({
      '/v2/_catalog': { repositories: ['rf/deps', 'rf/eval', 'other/thing'] },
      '/v2/rf/deps/tags/list': { tags: ['a', 'b'] },
      '/v2/rf/eval/tags/list': { tags: null },
      '/v2/rf/deps/manifests/a': { config: blob('c1', 10), layers: [blob('base', 1000), blob('l1', 100)] },
      '/v2/rf/deps/manifests/b': { config: blob('c2', 10), layers: [blob('base', 1000), blob('l2', 50)] },
    });
    const usage = await registryUsage('127.0.0.1:5000/rf', { fetch: reg.fetch });
    expect(usage).toEqual({
      registry: '127.0.0.1:5000/rf',
      repositories: 2,
      images: 2,
      blobs: 5,
      bytes: 1170,
    });
    expect(reg.asked[0]).toMatch(/^http:\/\/127\.0\.0\.1:5000\/v2\/_catalog/);
    expect(reg.asked.some((u) => u.includes('other/thing'))).toBe(false);
  });

  it('a registry that refuses is REGISTRY_UNREACHABLE naming it; a remote one is asked over HTTPS', async () => {
    const reg = fakeRegistry({});
    await expect(registryUsage('registry.example.com/rf', { fetch: reg.fetch })).rejects.toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      message: expect.stringContaining('registry.example.com answered 404'),
    });
    expect(reg.asked[0]).toMatch(/^https:\/\/registry\.example\.com\/v2\/_catalog/);
  });

  it('honours its signal', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    const fetchFn = ((_: string, init: RequestInit) => {
      init.signal?.throwIfAborted();
      return Promise.resolve(new Response('{}'));
    }) as unknown as typeof fetch;
    await expect(registryUsage('127.0.0.1:5000/rf', { fetch: fetchFn, signal: ac.signal })).rejects.toThrow(
      'stop',
    );
  });
});
