import { packageConfig } from '../../tools/tsup.shared.ts';

// The backend policy is its own entry (`@repoforge/deps/backend`): it loads dockerode, the main entry does not.
export default packageConfig({ entry: { index: 'src/index.ts', backend: 'src/backend/index.ts' } });
