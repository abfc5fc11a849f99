import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

const require = createRequire(import.meta.url);
let ready: Promise<void> | undefined;
const languages = new Map<string, Promise<Language>>();

/** A tree-sitter parser for one of the tree-sitter-wasms grammars (each loaded once). */
export async function parserFor(language: 'python' | 'javascript' | 'typescript'): Promise<Parser> {
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
}
