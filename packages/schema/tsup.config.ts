import { packageConfig } from '../../tools/tsup.shared.ts';

export default packageConfig({ entry: ['src/index.ts', 'src/node.ts'] });
