import { packageTestConfig } from '../../tools/vitest.shared.ts';

/**
 * Two files at a time: the real Multi-SWE-bench/Multilingual file (mswe-real, the largest, so Vitest starts it
 * first on a cold run and the longest first after) spends most of its ~18 minutes on npm downloads and image
 * layers, which leaves a core for the other files beside it. No two files share an image they remove or a queue:
 * mine-queue's images are its own (a private base tag).
 */
export default packageTestConfig({ maxWorkers: 2 });
