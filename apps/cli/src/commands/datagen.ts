import { resolve } from 'node:path';
import { formatCounts, mineRepository, type Rejection, repoNameOf } from '@repoforge/datagen';
import { writeFileAtomic } from '@repoforge/schema/node';
import { numberArg } from '../args.js';
import { BACKEND_OPTION, backendKit } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';
import { renderMiningReport } from '../report/mining-html.js';
import { modelRewriter } from '../rewriter.js';
import { runWorkers, workerOptions } from '../workers.js';

const mine: Command = {
  name: 'mine',
  summary: 'mine a repository history into validated SWE-bench task instances (no manual step)',
  examples: [
    'repoforge datagen mine --repo ./my-lib --out instances.jsonl --max-commits 200',
    'repoforge datagen mine --repo https://github.com/unjs/ufo --out ufo.jsonl --since 2024-01-01 --workers 2',
  ],
  options: {
    repo: { type: 'string', value: 'PATH|URL', description: 'a local repository, or an https URL to clone' },
    out: { type: 'string', value: 'FILE', description: 'output JSONL (re-running resumes)' },
    'repo-name': {
      type: 'string',
      value: 'OWNER/NAME',
      description: 'name for instance ids (default: from the URL or folder)',
    },
    'max-commits': { type: 'string', value: 'N', description: 'newest N non-merge commits only' },
    'max-candidates': { type: 'string', value: 'N', description: 'validate the newest N candidates only' },
    timeout: { type: 'string', value: 'SECONDS', description: 'per test run', default: '600' },
    since: { type: 'string', value: 'DATE', description: 'commits from this date on (YYYY-MM-DD)' },
    branch: { type: 'string', value: 'REF', description: 'branch or ref (default HEAD)' },
    workers: { type: 'string', value: 'N', description: 'candidates validated at once', default: '1' },
    runs: {
      type: 'string',
      value: 'N',
      description: 'runs before and after the fix; tests must agree in all',
      default: '3',
    },
    'rewrite-statements': {
      type: 'boolean',
      description:
        'rewrite commit messages into issue-style statements with an OpenAI-compatible model ($OPENAI_BASE_URL, $OPENAI_MODEL)',
    },
    'whole-suite': {
      type: 'boolean',
      description: "validate with whole test suites, not only each candidate's test files",
    },
    html: {
      type: 'string',
      value: 'FILE',
      description: 'write the mining report (funnel, per-candidate verdicts and evidence) as one HTML page',
    },
    explain: {
      type: 'boolean',
      description:
        'for each rejected candidate: why, the test command, and each run (exit code, test statuses, log tail)',
    },
    'repo-cache': {
      type: 'string',
      value: 'DIR',
      description: 'where URLs are cloned',
      default: '.repoforge/repos',
    },
    backend: BACKEND_OPTION,
    queue: {
      type: 'string',
      value: 'redis://HOST:PORT[/DB]',
      description: "validate through 'repoforge datagen worker' processes (any machine) via this Redis",
    },
  },
  async run({ io, values, signal, verbose, json }) {
    const repo = values.repo;
    const out = values.out;
    if (typeof repo !== 'string' || typeof out !== 'string')
      throw new UsageError('--repo and --out are required');
    let since: Date | undefined;
    if (values.since !== undefined) {
      since = new Date(String(values.since));
      if (Number.isNaN(since.getTime())) throw new UsageError(`--since: not a date: ${String(values.since)}`);
    }
    const logger = cliLogger(io, verbose);
    const kit = await backendKit(values.backend, logger);
    io.stderr.write(`backend: ${kit.name} (${kit.reason})\n`);
    const progress = new Progress(io, 'mine', 0);
    const counts: Record<string, number> = {};
    const r = await mineRepository({
      repo: /^https?:\/\//.test(repo) ? repo : resolve(io.cwd, repo),
      repoName: values['repo-name'] as string | undefined,
      out: resolve(io.cwd, out),
      cacheDir: resolve(io.cwd, String(values['repo-cache'])),
      branch: values.branch as string | undefined,
      since,
      maxCommits: numberArg(values, 'max-commits', true),
      maxCandidates: numberArg(values, 'max-candidates', true),
      timeoutSec: numberArg(values, 'timeout', true),
      workers: numberArg(values, 'workers', true),
      runs: numberArg(values, 'runs', true),
      wholeSuite: values['whole-suite'] === true,
      statement: values['rewrite-statements'] === true ? { rewrite: modelRewriter() } : undefined,
      createSandbox: kit.createSandbox,
      reapLeftovers: kit.reapLeftovers,
      envBuilder: kit.envs,
      queue: typeof values.queue === 'string' ? { url: values.queue } : undefined,
      logger,
      signal,
      onProgress: progress.listen(
        (_, verdict) => {
          counts[verdict] = (counts[verdict] ?? 0) + 1;
          return verdict;
        },
        () => `validated ${counts.validated ?? 0}`,
      ),
    });
    progress.finish();
    if (json)
      io.stdout.write(`${JSON.stringify({ funnel: r.funnel, rejections: r.rejections, out: r.out })}\n`);
    else {
      const f = r.funnel;
      io.stdout.write(
        `commits scanned: ${f.commitsScanned}\ncandidates: ${f.candidates}\nenvironments ready: ${f.envBuilt}\nbefore/after ran: ${f.beforeAfterRan}\n` +
          `validated: ${f.validated} (yield ${Math.round(f.yield * 100)}% of candidates)\nrejected: ${JSON.stringify(f.rejected)}\n` +
          `environments by rung: ${JSON.stringify(f.envRungs)}\nenvironment failures by class: ${JSON.stringify(f.envFailures)}\nvalidated with tests that need the internet (not graded): ${f.withNetworkTests}\nstatements: ${JSON.stringify(f.statements)}\n` +
          `seconds per stage (summed over candidates): ${stageSeconds(f.stageMs)}\nwritten to ${r.out}\n`,
      );
    }
    if (values.explain === true) io.stdout.write(explainRejections(r.rejections));
    if (typeof values.html === 'string') {
      const file = resolve(io.cwd, values.html);
      const name =
        (values['repo-name'] as string | undefined) ??
        (await repoNameOf(/^https?:\/\//.test(repo) ? repo : resolve(io.cwd, repo)));
      await writeFileAtomic(file, renderMiningReport(r, name, new Date().toISOString()));
      io.stderr.write(`mining report written to ${file}\n`);
    }
    return 0;
  },
};

/** `--explain`: each rejected candidate, why, and its runs (exit code, statuses, the end of the log). */
function explainRejections(rejections: readonly Rejection[]): string {
  const lines: string[] = [];
  for (const r of rejections) {
    lines.push(`\n${r.commit.slice(0, 12)}: ${r.verdict}${r.evidence ? ` — ${r.evidence.why}` : ''}`);
    if (r.evidence?.testCmd) lines.push(`  test command: ${r.evidence.testCmd}`);
    for (const run of r.evidence?.runs ?? []) {
      lines.push(`  ${run.side}: exit ${run.exitCode ?? '?'}, ${formatCounts(run.counts)}; log ends:`);
      lines.push(
        ...run.tail
          .trimEnd()
          .split('\n')
          .slice(-8)
          .map((l) => `    | ${l}`),
      );
    }
  }
  return lines.length ? `${lines.join('\n')}\n` : 'no candidate was rejected after validation started\n';
}

const worker: Command = {
  name: 'worker',
  summary:
    "validate mining candidates from a queue that 'repoforge datagen mine --queue' fills (any machine with Docker)",
  examples: ['repoforge datagen worker --queue redis://10.0.0.5:6379 --env-registry 10.0.0.5:5000/repoforge'],
  options: workerOptions('candidates'),
  run: ({ io, values, signal, verbose }) => runWorkers(['mine'], { io, values, signal, verbose }),
};

/** `repoforge datagen ...` */
export const datagenCommand: Command = {
  name: 'datagen',
  summary: 'turn git history into validated task instances',
  subcommands: [mine, worker],
};

/** `scan 0.9, draft 1.2, env 30.0, runs 60.0, gold 9.0`. */
function stageSeconds(stageMs: Record<string, number>): string {
  return Object.entries(stageMs)
    .map(([stage, ms]) => `${stage} ${(ms / 1000).toFixed(1)}`)
    .join(', ');
}
