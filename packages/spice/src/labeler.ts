import { ChatClient } from '@repoforge/llm';
import type { Instance } from '@repoforge/schema';
import { labelOffline } from './label-offline.js';
import type { SpiceLabels } from './labels.js';
import { labelWithLlm } from './llm-label.js';
import type { OfflineModel } from './model.js';
import { buildRepoMap, gitFileReader } from './repo-map.js';

export interface LabelerOptions {
  /** Force the offline model even when an endpoint is configured. */
  offline?: boolean;
  /** An LLM model name: asks for the LLM labeler (endpoint from `env.OPENAI_BASE_URL`). */
  model?: string;
  /** Where OPENAI_BASE_URL / OPENAI_API_KEY / OPENAI_MODEL are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** On-disk cache of LLM answers. */
  llmCacheDir?: string;
  /** The offline model (default: the bundled one). */
  offlineModel?: OfflineModel;
  /** LLM votes per label (default 3). */
  passes?: number;
  /** Votes an instance needs when some passes give no usable answer (default: a majority of `passes`). */
  minVotes?: number;
  /** The git directory of a repo, for the LLM's repo map (none: no map). */
  gitdirOf?: (repo: string) => Promise<string | undefined>;
}

/** A labeler and what it is: `offline`, or `llm:<model>`. */
export interface Labeler {
  source: string;
  label: (instance: Instance, signal?: AbortSignal) => Promise<SpiceLabels>;
  close: () => Promise<void>;
}

/**
 * The labeler a caller gets: the LLM when a model or an endpoint is configured (and `offline` is not set),
 * else the offline model, which needs nothing. The choice is said in `source`, so no caller is surprised.
 */
export function spiceLabeler(options: LabelerOptions = {}): Labeler {
  const env = options.env ?? process.env;
  const useLlm =
    options.offline !== true && (options.model !== undefined || env.OPENAI_BASE_URL !== undefined);
  if (!useLlm)
    return {
      source: 'offline',
      label: (instance) => labelOffline(instance, options.offlineModel),
      close: async () => {},
    };
  const client = new ChatClient({
    baseUrl: env.OPENAI_BASE_URL,
    apiKey: env.OPENAI_API_KEY,
    model: options.model ?? env.OPENAI_MODEL,
    cacheDir: options.llmCacheDir,
  });
  return {
    source: `llm:${client.model}`,
    label: async (instance, signal) => {
      const gitdir = await options.gitdirOf?.(instance.repo).catch(() => undefined);
      const repoMap = gitdir
        ? await buildRepoMap(gitFileReader(gitdir, instance.base_commit), instance.patch, instance.test_patch)
        : '';
      return labelWithLlm(instance, client, {
        passes: options.passes,
        minVotes: options.minVotes,
        repoMap,
        signal,
      });
    },
    close: () => client.close(),
  };
}
