import { describe, expect, it } from 'vitest';
import { isRegistryRef, isShareable, remoteRefOf } from './image-share.js';

describe('registry sharing names', () => {
  it('accepts host:port/prefix registries and refuses what names no host', () => {
    for (const ok of [
      '127.0.0.1:5000/repoforge',
      'registry.example.com/team/envs',
      'localhost:5000',
      'ghcr.io/acme',
    ])
      expect(isRegistryRef(ok), ok).toBe(true);
    for (const bad of ['not a registry', 'repoforge', 'x', 'http://127.0.0.1:5000/r', '127.0.0.1:5000/Upper'])
      expect(isRegistryRef(bad), bad).toBe(false);
  });

  it("shares RepoForge's content-addressed images only, under the registry's prefix", () => {
    expect(isShareable('repoforge/deps:0123abcd')).toBe(true);
    expect(isShareable('repoforge/env-installed:0123abcd')).toBe(true);
    expect(isShareable('repoforge/base:bookworm')).toBe(false);
    expect(isShareable('python:3.11')).toBe(false);
    expect(remoteRefOf('127.0.0.1:5000/repoforge/', 'repoforge/deps:0123')).toBe(
      '127.0.0.1:5000/repoforge/deps:0123',
    );
  });
});
