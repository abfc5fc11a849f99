// Fails when a function in packages/*/src (tests aside) is longer than 100 lines: long functions are split
// along the steps they already comment (see the developers' guide). Part of `npm run lint:repo`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const LIMIT = 100;
const root = join(import.meta.dirname, '..', 'packages');
const sources = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
const long = [];
for (const pkg of readdirSync(root)) {
  for (const file of sources(join(root, pkg, 'src'))) {
    const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isFunctionLike(node) && node.body) {
        const from = sf.getLineAndCharacterOfPosition(node.getStart()).line;
        const lines = sf.getLineAndCharacterOfPosition(node.end).line - from + 1;
        if (lines > LIMIT)
          long.push(`${file}:${from + 1}: ${node.name?.getText() ?? '(anonymous)'}: ${lines} lines`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
}
if (long.length) {
  console.error(`functions over ${LIMIT} lines:\n${long.join('\n')}`);
  process.exit(1);
}
