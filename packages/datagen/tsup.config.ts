import { packageConfig } from '../../tools/tsup.shared.ts';

// The demo repositories are their own entry (`@repoforge/datagen/demo`), apart from the mining API.
export default packageConfig({ entry: { index: 'src/index.ts', demo: 'src/demo/index.ts' } });
