import { EnvBuilder } from '@repoforge/deps';
import { mineRepository } from '@repoforge/datagen';
const [repo, name, max] = process.argv.slice(2);
const t0 = Date.now();
const r = await mineRepository({
  repo: repo!,
  repoName: name,
  out: `/tmp/real-${name!.replace('/', '__')}.jsonl`,
  maxCommits: Number(max),
  runs: 2,
  workers: 2,
  envBuilder: new EnvBuilder({}),
  timeoutSec: 300,
  logger: {
    debug() {},
    info() {},
    warn: (m, d) => console.error('WARN', m, JSON.stringify(d).slice(0, 300)),
  },
  onProgress: (e) => {
    if (e.stage === 'candidate') console.error(`${e.done}/${e.total} ${e.oid.slice(0, 7)} ${e.verdict}`);
  },
});
console.log(
  JSON.stringify({ repo: name, minutes: Math.round((Date.now() - t0) / 600) / 100, funnel: r.funnel }),
);
