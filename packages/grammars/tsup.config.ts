import { packageConfig } from '../../tools/tsup.shared.ts';

export default packageConfig();
