import { createRequire } from 'node:module';
import { memoAsync, RepoForgeError } from '@repoforge/schema';
import { Language, Parser } from 'web-tree-sitter';

export type { Node, Parser, Tree } from 'web-tree-sitter';

/** The languages RepoForge parses (setup.py for dependencies; changed code for difficulty features and repo maps). */
export type GrammarLanguage = 'python' | 'javascript' | 'typescript' | 'tsx';

/** A grammar that would not load (a broken install of tree-sitter-wasms, an unsupported platform). */
export class GrammarError extends RepoForgeError {
  declare readonly code: 'GRAMMAR_LOAD_FAILED';

  constructor(message: string, options?: { cause?: unknown }) {
    super('GRAMMAR_LOAD_FAILED', message, options);
  }
}

const require = createRequire(import.meta.url);
const runtime = new Map<'init', Promise<void>>();
const languages = new Map<GrammarLanguage, Promise<Language>>();

/**
 * A tree-sitter parser for a language from the tree-sitter-wasms grammars. The runtime and each grammar load
 * once per process (a failed load is retried by the next call). Parsing reads code; it never runs it.
 */
export async function parserFor(language: GrammarLanguage): Promise<Parser> {
  try {
    await memoAsync(runtime, 'init', () => Parser.init());
    const lang = await memoAsync(languages, language, () =>
      Language.load(require.resolve(`tree-sitter-wasms/out/tree-sitter-${language}.wasm`)),
    );
    const parser = new Parser();
    parser.setLanguage(lang);
    return parser;
  } catch (error) {
    throw new GrammarError(
      `could not load the tree-sitter ${language} grammar: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
