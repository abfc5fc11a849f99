export {
  ALTERNATIVES_MODEL,
  AlternativeFix,
  AlternativeKind,
  alternativeFixes,
  alternativesRun,
  rewordMessage,
} from './alternatives.js';
export { parseCsv } from './csv.js';
export {
  type AlternativeRun,
  ExecutionEvidence,
  evidenceAgreement,
  executionEvidence,
} from './evidence.js';
export { computeFeatures, type FeatureInput } from './features.js';
export { type LabelFailure, type LabelInput, labelDataset } from './label-dataset.js';
export { defaultModel, labelOffline } from './label-offline.js';
export { type Labeler, type LabelerOptions, spiceLabeler } from './labeler.js';
export {
  consensus,
  DIFFICULTY_BUCKETS,
  difficultyScore,
  isControversial,
  keepInstance,
  LABELS,
  type LabelName,
  labelRow,
  Score,
  SpiceError,
  SpiceLabels,
  sweBenchFilterOut,
} from './labels.js';
export { type Answer, extractScores, labelWithLlm, spicePrompt } from './llm-label.js';
export { type Agreement, agreement, annotationAgreement } from './metrics.js';
export {
  crossValidate,
  type FoldBy,
  fitOfflineModel,
  groupedCrossValidation,
  groupedFolds,
  OfflineModel,
  predictLabels,
  type TrainingRow,
} from './model.js';
export { fitOrdinal, type OrdinalModel, ordinalProbabilities } from './ordinal.js';
export { buildRepoMap, type FileReader, gitFileReader, type RankedFile, rankRelated } from './repo-map.js';
export { trainingRows } from './training.js';
