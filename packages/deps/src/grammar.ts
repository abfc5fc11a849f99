import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';
import { DepsError } from './errors.js';

const require = createRequire(import.meta.url);
let ready: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();

/**
 * A tree-sitter parser for a language from the tree-sitter-wasms grammars (loaded once). Parsing reads code;
 * it never runs it (setup.py is untrusted).
 */
export async function parserFor(language: 'python' | 'javascript' | 'typescript' | 'tsx'): Promise<Parser> {
  try {
    ready ??= Parser.init();
    await ready;
    let lang = languages.get(language);
    if (!lang) {
      lang = Language.load(require.resolve(`tree-sitter-wasms/out/tree-sitter-${language}.wasm`));
      languages.set(language, lang);
    }
    const parser = new Parser();
    parser.setLanguage(await lang);
    return parser;
  } catch (error) {
    throw new DepsError(
      'GRAMMAR_LOAD_FAILED',
      `could not load the tree-sitter ${language} grammar: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
