import { describe, expect, it } from 'vitest';
import { backendConflict, recipesOn } from './backend-rules.js';

describe('backend rules', () => {
  it('refuses Docker-only options on the local backend, by name', () => {
    expect(backendConflict({ backend: 'local', useInstanceImages: true })).toMatch(
      /^--use-instance-images needs/,
    );
    expect(backendConflict({ backend: 'local', queue: true })).toMatch(/^--queue needs the Docker backend/);
    expect(backendConflict({ backend: 'local' })).toBeUndefined();
    expect(backendConflict({ backend: 'docker', envSpecs: true, queue: true })).toBeUndefined();
  });

  it('uses no recipes on the local backend', () => {
    expect(recipesOn('local', 'debian')).toBeUndefined();
    expect(recipesOn('docker', 'debian')).toBe('debian');
    expect(recipesOn('docker', 'none')).toBeUndefined();
  });
});
