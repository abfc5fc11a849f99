#!/usr/bin/env node
// Adds up every package's Vitest JSON results and prints one closing line: "tests: N passed, N failed, N skipped".
// Each failed test (and each file that failed to load) is named with the first lines of its error, last, so that
// the tail of a CI log — often all a reader gets — says what failed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const workspaces = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;
// Workspaces are "<folder>/*" globs; Node 20 has no fs.glob, so list the folders.
const dirs = workspaces.flatMap((w) => {
  const base = w.replace(/\/\*$/, '');
  return existsSync(join(root, base)) ? readdirSync(join(root, base)).map((d) => join(base, d)) : [];
});
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
/** Every test file's wall time, to name where a run's time went (CI time is an issue of its own). */
const fileSeconds = [];

function firstLines(text, n = 6) {
  return String(text ?? '')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(0, n)
    .map((l) => `      ${l}`)
    .join('\n');
}

function failuresOf(results) {
  const out = [];
  for (const file of results.testResults ?? []) {
    const name = relative(root, file.name);
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed)
      out.push(`  FAILED ${name} > ${a.fullName}\n${firstLines(a.failureMessages?.join('\n'))}`);
    if (file.status === 'failed' && failed.length === 0)
      out.push(`  FAILED ${name}\n${firstLines(file.message)}`);
  }
  return out;
}
for (const dir of dirs) {
  const file = join(root, dir, 'test-results.json');
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  failures.push(...failuresOf(r));
  for (const f of r.testResults ?? [])
    if (f.endTime > f.startTime) fileSeconds.push([relative(root, f.name), (f.endTime - f.startTime) / 1000]);
  if (r.numFailedTests || r.numPendingTests) {
    console.log(
      `  ${dir}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`,
    );
  }
}
const slowest = fileSeconds.sort((a, b) => b[1] - a[1]).slice(0, 8);
if (slowest.length > 0)
  console.log(`slowest test files: ${slowest.map(([f, s]) => `${f} ${Math.round(s)} s`).join(', ')}`);
if (failures.length > 0) console.log(failures.join('\n'));
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
