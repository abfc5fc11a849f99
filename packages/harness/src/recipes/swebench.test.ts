import { EnvSpec, EnvSpecMap, envSpecFor } from '@repoforge/schema';
import { describe, expect, it } from 'vitest';
import { swebenchRecipe } from '../index.js';
import { recipeUnservable, swebenchRecipeMap } from './swebench.js';

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

  it("debian: every recipe of a suite starts with the same Python layer (built and stored once), then the repo's own", () => {
    const layers = (repo: string, version: string) =>
      EnvSpec.parse(swebenchRecipe({ repo, version }, 'debian')).dockerfile!.split('\n').slice(0, 3);
    const [from, python, own] = layers('pydata/xarray', '2022.06');
    expect(layers('django/django', '4.2').slice(0, 2)).toEqual([from, python]);
    expect(python).toContain('python3-pip');
    expect(python).not.toContain('python3-numpy');
    expect(own).toContain('python3-numpy');
    expect(layers('django/django', '4.2')[2]).not.toBe(own);
  });

  it('debian: repos that need a whole shared stack share its layer (seaborn is a prefix of xarray)', () => {
    const runLines = (repo: string, version: string) =>
      swebenchRecipe({ repo, version }, 'debian')!
        .dockerfile!.split('\n')
        .filter((l) => l.startsWith('RUN apt-get'));
    const seaborn = runLines('mwaskom/seaborn', '0.12');
    const xarray = runLines('pydata/xarray', '2022.06');
    expect(seaborn).toHaveLength(2);
    expect(xarray.slice(0, 2)).toEqual(seaborn);
    expect(xarray[2]).toContain('python3-dask');
    expect(xarray[2]).not.toContain('python3-numpy');
    // astropy lacks pandas: no stack layer, its packages stay in one layer of its own.
    const astropy = runLines('astropy/astropy', '5.0');
    expect(astropy).toHaveLength(2);
    expect(astropy[1]).toContain('python3-numpy');
  });

  it('pip: the Python image and the package index can point at a mirror', () => {
    const django = { repo: 'django/django', version: '4.0' };
    const hub = swebenchRecipe(django, 'pip')!.dockerfile!;
    expect(hub).toMatch(/^FROM python:3\.8\n/);
    expect(hub).not.toContain('PIP_INDEX_URL');
    const mirror = swebenchRecipe(django, 'pip', {
      pythonImage: 'mirror.example:5000/library/python:{python}-slim',
      pipIndexUrl: 'http://10.0.0.7:3141/root/pypi/+simple/',
    })!.dockerfile!;
    expect(mirror).toMatch(/^FROM mirror\.example:5000\/library\/python:3\.8-slim\n/);
    // Plain http needs its host trusted, or pip ignores the index; https needs nothing more.
    expect(mirror).toContain(
      'ENV PIP_INDEX_URL=http://10.0.0.7:3141/root/pypi/+simple/ PIP_TRUSTED_HOST=10.0.0.7\n',
    );
    const https = swebenchRecipe(django, 'pip', { pipIndexUrl: 'https://pypi.internal/simple' })!.dockerfile!;
    expect(https).toContain('ENV PIP_INDEX_URL=https://pypi.internal/simple\n');
    expect(() => swebenchRecipe(django, 'pip', { pipIndexUrl: 'pypi.internal/simple' })).toThrow(
      /pipIndexUrl is not an http\(s\) URL/,
    );
    // The Debian flavour ignores the pip options; its base image is its own option.
    expect(
      swebenchRecipe(django, 'debian', { pipIndexUrl: 'https://x/simple', debianBase: 'b:1' })!.dockerfile,
    ).toMatch(/^FROM b:1\n(?![\s\S]*PIP_INDEX_URL)/);
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
    expect(swebenchRecipe({ repo: 'scikit-learn/scikit-learn' }, 'debian')).toBeUndefined();
    expect(
      recipeUnservable({ instance_id: 'x', repo: 'matplotlib/matplotlib', version: '3.5' }, 'debian'),
    ).toMatch(/C extensions the Debian flavour does not build yet/);
    const pipAstropy = EnvSpec.parse(swebenchRecipe({ repo: 'astropy/astropy', version: '5.0' }, 'pip'));
    expect(pipAstropy.dockerfile).toMatch(/^FROM python:3\.9\n/);
    expect(pipAstropy.install).toEqual(['python -m pip install -e .[test] --verbose']);
  });

  it('debian: a C-extension repo is built at image time, keyed by its sources, and restored before its tests', () => {
    const astropy = EnvSpec.parse(swebenchRecipe({ repo: 'astropy/astropy', version: '5.1' }, 'debian'));
    expect(
      recipeUnservable({ instance_id: 'x', repo: 'astropy/astropy', version: '5.1' }, 'debian'),
    ).toBeUndefined();
    expect(astropy.dockerfile).toContain('cython3');
    expect(astropy.install.join('\n')).toContain('setup.py build_ext --inplace');
    expect(astropy.install_key_files).toEqual(expect.arrayContaining(['astropy', 'cextern']));
    // Its tests get the build back; an editable install would compile it again on every run.
    expect(astropy.pre_test.join('\n')).toContain('tar -xmf /opt/repoforge-build.tar');
    expect(astropy.pre_test.join('\n')).not.toContain('pip install');
    const django = EnvSpec.parse(swebenchRecipe({ repo: 'django/django', version: '4.0' }, 'debian'));
    expect(django.install).toEqual([]);
    expect(django.pre_test.join('\n')).toContain('pip install');
  });
});
