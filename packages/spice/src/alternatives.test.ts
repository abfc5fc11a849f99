import { readFileSync } from 'node:fs';
import type { Instance } from '@repoforge/schema';
import { sharedFixture, sharedFixturesDir, skipLoudly } from '@repoforge/test-utils';
import { describe, expect, it } from 'vitest';
import { alternativeFixes, alternativesRun, executionEvidence, rewordMessage } from './index.js';

const patch = [
  'diff --git a/pkg/mod.py b/pkg/mod.py',
  '--- a/pkg/mod.py',
  '+++ b/pkg/mod.py',
  '@@ -1,3 +1,9 @@',
  ' def existing():',
  '-    return 1',
  '+    return _helper()',
  '+',
  '+def _helper():',
  '+    """Explain the helper in words."""',
  '+    # a comment with several words in it',
  "+    raise ValueError(f'the {name} value is not valid here')",
  "+    return {'some key': 1, 'x': 'SELECT id FROM t'}",
  '',
].join('\n');
const instance = { instance_id: 'o__r-1', patch, problem_statement: 'existing() fails' };

describe('alternative fixes (execution evidence of test validity)', () => {
  it('leaves a message the fix only moves: the repo had it, older tests may check it', () => {
    const moved = [
      'diff --git a/m.py b/m.py',
      '--- a/m.py',
      '+++ b/m.py',
      '@@ -1,2 +1,3 @@',
      "-    raise Error('the value is not valid here')",
      '+    if x:',
      "+        raise Error('the value is not valid here')",
      '',
    ].join('\n');
    expect(alternativeFixes({ instance_id: 'o__r-2', patch: moved, problem_statement: '' })).toEqual([]);
  });

  it('rewords prose strings only, keeping placeholders and escapes', () => {
    expect(rewordMessage('the {name} value is not valid')).toBe('value {name} the is not valid');
    expect(rewordMessage('%(field)s must be a positive number')).toBe('%(field)s be must a positive number');
    expect(rewordMessage('SELECT id FROM t')).toBeUndefined();
    expect(rewordMessage('some key')).toBeUndefined();
    expect(rewordMessage('_check_regexp_csv and more')).toBeUndefined();
    expect(rewordMessage('\\nPerforming system checks')).toBeUndefined();
  });

  it('makes a control, a message and a name alternative, touching only added code lines', () => {
    const [control, message, name] = alternativeFixes(instance);
    expect(control).toMatchObject({ id: 'o__r-1.alt-control', kind: 'control', patch, changes: [] });
    expect(message!.changes).toEqual([
      { from: 'the {name} value is not valid here', to: 'value {name} the is not valid here' },
    ]);
    expect(message!.patch).toContain("+    raise ValueError(f'value {name} the is not valid here')");
    expect(message!.patch).toContain('+    """Explain the helper in words."""');
    expect(message!.patch.split('\n')).toHaveLength(patch.split('\n').length);
    expect(name!.changes).toEqual([{ from: '_helper', to: '_helper_alt' }]);
    expect(name!.patch).toContain('+    return _helper_alt()');
    expect(name!.patch).toContain('+def _helper_alt():');
    // A name the statement uses is asked for: renaming it is no alternative.
    expect(alternativeFixes({ ...instance, problem_statement: 'add _helper' }).map((a) => a.kind)).toEqual([
      'control',
      'message',
    ]);
    expect(
      alternativeFixes({
        ...instance,
        patch: patch.replace(/raise.*\n/, '').replace(/_helper/g, '_print_Foo'),
      }),
    ).toEqual([]);
  });

  it('runs each alternative as an instance of its own, predicted by its patch', () => {
    const row = {
      repo: 'o/r',
      instance_id: 'o__r-1',
      base_commit: 'c',
      patch,
      test_patch: '',
      problem_statement: 'x',
    };
    const run = alternativesRun([row as Instance]);
    expect(run.dataset.map((d) => [d.instance_id, d.base_commit])).toEqual([
      ['o__r-1.alt-control', 'c'],
      ['o__r-1.alt-message', 'c'],
      ['o__r-1.alt-name', 'c'],
    ]);
    expect(run.predictions[1]!.model_patch).toBe(run.alternatives[1]!.patch);
  });

  it('labels from the runs: rejected, accepted, or no evidence when the reference fails or a run errs', () => {
    const alts = alternativeFixes(instance);
    const run = (id: string, status: 'resolved' | 'unresolved' | 'error', failure = 0) => ({
      instance_id: id,
      status,
      f2p: { success: 1, failure },
      durationMs: 2000,
    });
    const ok = run('o__r-1.alt-control', 'resolved');
    const [rejected] = executionEvidence(alts, [
      ok,
      run('o__r-1.alt-message', 'unresolved', 1),
      run('o__r-1.alt-name', 'resolved'),
    ]);
    expect(rejected).toMatchObject({ test_validity: 2, outcome: 'rejects_alternatives', seconds: 6 });
    expect(rejected!.alternatives.map((a) => [a.kind, a.f2p_failed])).toEqual([
      ['message', 1],
      ['name', 0],
    ]);
    const [accepted] = executionEvidence(alts, [
      ok,
      run('o__r-1.alt-message', 'resolved'),
      run('o__r-1.alt-name', 'resolved'),
    ]);
    expect(accepted).toMatchObject({ test_validity: 0, outcome: 'accepts_alternatives' });
    const [noControl] = executionEvidence(alts, [
      run('o__r-1.alt-control', 'unresolved', 1),
      run('o__r-1.alt-message', 'unresolved', 1),
      run('o__r-1.alt-name', 'resolved'),
    ]);
    expect(noControl).toMatchObject({ test_validity: null, outcome: 'error' });
    const [erred] = executionEvidence(alts, [
      ok,
      run('o__r-1.alt-message', 'error'),
      run('o__r-1.alt-name', 'resolved'),
    ]);
    expect(erred).toMatchObject({ test_validity: null, outcome: 'error' });
    // Alternatives not run yet give no evidence at all (a partial run).
    expect(executionEvidence(alts, [ok])).toEqual([]);
  });
});

const fixtures = sharedFixturesDir();
describe.skipIf(
  !fixtures && skipLoudly('shared fixtures absent: alternatives of real SWE-bench fixes are SKIPPED'),
)('alternatives of real SWE-bench Verified fixes', () => {
  it('finds the helpers django-10554 and pylint-4551 add, and not the message django-10554 only re-indents', () => {
    const rows = ['swebench_verified_real_subset.jsonl', 'swebench_verified_py7_subset.jsonl'].flatMap((f) =>
      readFileSync(sharedFixture('instances', f), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Instance),
    );
    const run = alternativesRun(rows);
    const kinds = (id: string) => run.alternatives.filter((a) => a.instance_id === id).map((a) => a.kind);
    // django-10554 moves 'ORDER BY term does not match ...' (an older test checks it): not the fix's message.
    expect(kinds('django__django-10554')).toEqual(['control', 'name']);
    expect(kinds('pallets__flask-5014')).toEqual(['control', 'message']);
    const pylint = run.alternatives.find((a) => a.id === 'pylint-dev__pylint-4551.alt-name')!;
    expect(pylint.changes.map((c) => c.from)).toEqual(
      expect.arrayContaining(['get_annotation', 'infer_node']),
    );
    // sympy's printers are found by method name: no name alternative for them.
    expect(kinds('sympy__sympy-14976')).toEqual([]);
    const covered = new Set(run.alternatives.map((a) => a.instance_id)).size;
    expect(covered).toBeGreaterThanOrEqual(4);
    expect(covered).toBeLessThan(rows.length);
  });
});
