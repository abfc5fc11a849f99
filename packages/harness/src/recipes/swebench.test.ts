import { describe, expect, it } from 'vitest';
import {
  EnvSpec,
  EnvSpecMap,
  envSpecFor,
  recipeUnservable,
  swebenchRecipe,
  swebenchRecipeMap,
} from '../index.js';

describe('built-in SWE-bench recipes', () => {
  it('are env-spec data in both flavours, every test command taking {tests}', () => {
    for (const flavour of ['debian', 'pip'] as const) {
      const map = EnvSpecMap.parse(swebenchRecipeMap(flavour));
      expect(Object.keys(map)).toContain('django/django');
      for (const versions of Object.values(map))
        for (const spec of Object.values(versions)) expect(spec.test_cmd).toContain('{tests}');
    }
  });

  it('debian: one image per repo family; pip: SWE-bench Python per version', () => {
    const django = EnvSpec.parse(swebenchRecipe({ repo: 'django/django', version: '3.0' }, 'debian'));
    const sympy = EnvSpec.parse(swebenchRecipe({ repo: 'sympy/sympy', version: '1.12' }, 'debian'));
    expect(django.dockerfile).not.toBe(sympy.dockerfile);
    expect(sympy.dockerfile).not.toContain('numpy'); // numpy sends sympy's lambdify down another path
    expect(sympy.dockerfile).toContain('python3-distutils');
    const pip = EnvSpecMap.parse(swebenchRecipeMap('pip'));
    expect(envSpecFor(pip, { repo: 'django/django', version: '3.0', instance_id: 'd' }).dockerfile).toContain(
      'FROM python:3.6',
    );
    expect(envSpecFor(pip, { repo: 'django/django', version: '5.0', instance_id: 'd' }).dockerfile).toContain(
      'FROM python:3.11',
    );
  });

  it('say which instances the Debian flavour cannot serve, and why', () => {
    expect(recipeUnservable({ instance_id: 'x', repo: 'sympy/sympy', version: '1.1' }, 'debian')).toMatch(
      /collections\.Mapping/,
    );
    expect(
      recipeUnservable(
        { instance_id: 'django__django-11749', repo: 'django/django', version: '3.0' },
        'debian',
      ),
    ).toMatch(/3\.11/);
    expect(
      recipeUnservable({ instance_id: 'x', repo: 'django/django', version: '3.0' }, 'debian'),
    ).toBeUndefined();
    expect(
      recipeUnservable({ instance_id: 'x', repo: 'sympy/sympy', version: '1.1' }, 'pip'),
    ).toBeUndefined();
    expect(swebenchRecipe({ repo: 'astropy/astropy' }, 'debian')).toBeUndefined();
    expect(swebenchRecipe({ repo: 'astropy/astropy', version: '5.0' }, 'pip')).toBeDefined();
  });
});
