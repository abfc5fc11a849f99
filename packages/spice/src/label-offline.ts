import defaultModelJson from './default-model.json' with { type: 'json' };
import { computeFeatures, type FeatureInput } from './features.js';
import { LABELS, type LabelName, labelRow, type Score, type SpiceLabels } from './labels.js';
import { OfflineModel, predictLabels } from './model.js';

/** The model fitted on SWE-bench Verified's human annotations, shipped with the package (validated once). */
export const defaultModel: OfflineModel = OfflineModel.parse(defaultModelJson);

const DESCRIBE: Record<string, string> = {
  p_changed: 'lines changed by the fix',
  p_files: 'files the fix touches',
  p_hunks: 'hunks in the fix',
  p_new_defs: 'functions/classes the fix defines',
  p_contexts: 'functions the fix edits',
  f2p: 'FAIL_TO_PASS tests',
  s_len: 'length of the problem statement',
  s_reproducer: 'a reproducer in the statement',
  s_traceback: 'a traceback in the statement',
  t_added: 'test lines added',
  x_test_literals_from_fix: 'test strings the fix introduces and the statement never gives',
  x_message_asserts: 'tests asserting on messages',
  x_tested_new_api_unnamed: 'new names the tests call that the statement never gives',
  x_edited_named: 'the statement naming the functions the fix edits',
  s_vague: 'tentative wording in the statement',
  s_expected_actual: 'expected-vs-actual wording',
};

/** How far the shipped cross-validation says to trust a label: exact vs the majority class, folds by repo. */
function trustNote(model: OfflineModel, label: LabelName): string {
  const cv = model.crossValidation?.repo?.[label];
  return cv ? ` (grouped CV: exact ${cv.exact} vs majority ${cv.majorityBaseline}, QWK ${cv.qwk})` : '';
}

/** Labels instances offline (no LLM): one vote per label from the ordinal model, with a rationale. */
export async function labelOffline(
  instance: FeatureInput & { instance_id: string },
  model: OfflineModel = defaultModel,
): Promise<SpiceLabels> {
  const features = await computeFeatures(instance);
  const predicted = predictLabels(model, features);
  const x = model.features.map((n, j) => ((features[n] ?? 0) - model.mean[j]!) / model.std[j]!);
  const votes: Record<string, Score[]> = {};
  const rationales: Record<string, string[]> = {};
  const scores: Record<string, Score> = {};
  for (const label of LABELS) {
    const p = predicted[label];
    const m = model.labels[label];
    scores[label] = p?.score ?? 1;
    votes[label] = [scores[label]!];
    // The features pushing this instance's score most, with their direction.
    const contributions = m
      ? model.features
          .map((n, j) => ({ n, c: m.weights[j]! * x[j]! }))
          .sort((a, b) => Math.abs(b.c) - Math.abs(a.c))
      : [];
    const top = contributions.filter((c) => DESCRIBE[c.n]).slice(0, 2);
    const probs = p ? p.probabilities.map((v) => v.toFixed(2)).join('/') : 'no model';
    rationales[label] = [
      `offline model: P(0/1/2/3) = ${probs}; ${top.map((t) => `${DESCRIBE[t.n]} ${t.c > 0 ? 'raises' : 'lowers'} it`).join(', ')}${trustNote(model, label)}`,
    ];
  }
  return labelRow({
    instanceId: instance.instance_id,
    votes: votes as Record<LabelName, Score[]>,
    rationales: rationales as Record<LabelName, string[]>,
    costUsd: 0,
    source: 'offline',
  });
}
