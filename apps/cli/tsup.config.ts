import { packageConfig } from '../../tools/tsup.shared.ts';

export default packageConfig({ entry: ['src/bin.ts'], format: ['esm'], dts: false });
