import { z } from 'zod';
import { InstanceId, ModelName } from './names.js';

/** A model's answer for one instance, in SWE-bench's prediction format. `model_patch` may be null. */
export const Prediction = z.looseObject({
  instance_id: InstanceId,
  model_name_or_path: ModelName,
  model_patch: z.string().nullable(),
});
export type Prediction = z.infer<typeof Prediction>;

/** SWE-bench counts a missing, null or empty-string patch as an empty patch (whitespace is a patch). */
export function isEmptyPatch(prediction: Pick<Prediction, 'model_patch'>): boolean {
  return prediction.model_patch == null || prediction.model_patch === '';
}

/** The "gold" predictions: each instance's own patch, as SWE-bench's `--predictions_path gold` does. */
export function goldPredictions(instances: readonly { instance_id: string; patch: string }[]): Prediction[] {
  return instances.map((i) => ({
    instance_id: i.instance_id,
    model_name_or_path: 'gold',
    model_patch: i.patch,
  }));
}
