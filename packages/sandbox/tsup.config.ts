import { packageConfig } from '../../tools/tsup.shared.ts';

// Two entries sharing chunks: the Docker backend (dockerode) is its own chunk, loaded only when used.
export default packageConfig({ entry: ['src/index.ts', 'src/docker.ts'], splitting: true });
