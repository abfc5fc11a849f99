import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileAtCommit, gitFileDiff, mineRepository } from '@repoforge/datagen';
import { createDemoRepos } from '@repoforge/datagen/demo';
import { plannedEnvs } from '@repoforge/deps';
import { RepoCache, runEvaluation } from '@repoforge/harness';
import {
  formatJsonl,
  type Instance,
  type Prediction,
  parseGitDiff,
  serializeInstance,
} from '@repoforge/schema';
import { labelOffline } from '@repoforge/spice';
import { BACKEND_OPTION, backendKit } from '../backend.js';
import type { Command, CommandContext } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';
import { writeHtmlReport } from './report.js';

/** A deliberately wrong prediction: it touches the file the fix touches, but leaves the bug in place. */
async function wrongPrediction(inst: Instance, gitdir: string): Promise<Prediction> {
  const file = parseGitDiff(inst.patch)[0]?.path ?? '';
  const old = (await fileAtCommit(gitdir, inst.base_commit, file)) ?? '';
  const comment = file.endsWith('.py') ? '# TODO: fixed?\n' : '// TODO: fixed?\n';
  return {
    instance_id: inst.instance_id,
    model_name_or_path: 'demo-wrong',
    model_patch: gitFileDiff({ path: file, oldText: old, newText: old + comment }),
  };
}

async function demo({ io, values, signal, verbose, json }: CommandContext): Promise<number> {
  const dir = resolve(io.cwd, String(values.dir));
  const say = (m: string) => io.stderr.write(`[demo] ${m}\n`);
  const logger = cliLogger(io, verbose);
  const kit = await backendKit(values.backend, logger);
  say(
    kit.name === 'docker'
      ? `backend: docker (${kit.reason}; network none for every test run)`
      : `backend: local (${kit.reason}; bubblewrap, loopback-only network, environments as directories on this machine — weaker isolation than Docker)`,
  );
  const reposDir = join(dir, 'repos');
  await mkdir(dir, { recursive: true });
  say(`1/6 creating demo repositories with real bug-fix histories in ${reposDir}`);
  const repos = await createDemoRepos(reposDir, { fixes: Number(values.fixes), edgeCases: true });
  const builder = kit.envs;
  const instances: Instance[] = [];
  for (const [path, name] of [
    [repos.python, 'demo/mathlib'],
    [repos.node, 'demo/strings'],
  ] as const) {
    say(`2/6 mining ${name} (environments planned from the repo, built once per dependency set)`);
    const progress = new Progress(io, 'mine', 0);
    const r = await mineRepository({
      repo: path,
      repoName: name,
      out: join(dir, `${name.replace('/', '__')}.jsonl`),
      runs: 2,
      workers: 2,
      envBuilder: builder,
      createSandbox: kit.createSandbox,
      logger,
      signal,
      onProgress: progress.listen((_, verdict) => verdict),
    });
    progress.finish();
    say(
      `   ${name}: ${r.funnel.commitsScanned} commits, ${r.funnel.candidates} candidates, ${r.funnel.validated} validated, rejected ${JSON.stringify(r.funnel.rejected)}`,
    );
    instances.push(...r.instances);
  }
  const datasetFile = join(dir, 'instances.jsonl');
  await writeFile(datasetFile, formatJsonl(instances.map(serializeInstance)));
  const repoSource = new RepoCache({ cacheDir: reposDir, clone: false });
  const env = plannedEnvs(repoSource, logger, builder);
  const reportDir = join(dir, 'eval');
  const runs: Record<string, { resolved: number; total: number; html?: string }> = {};
  const wrong = await Promise.all(
    instances.map(async (i) => wrongPrediction(i, (await repoSource.resolve(i.repo)).gitdir)),
  );
  for (const [runId, predictions] of [
    ['demo-gold', 'gold'],
    ['demo-wrong', wrong],
  ] as const) {
    say(
      `3/6 evaluating ${runId === 'demo-gold' ? 'the gold patches' : 'a deliberately wrong prediction'} (${runId})`,
    );
    const progress = new Progress(io, 'eval', 0);
    const r = await runEvaluation({
      dataset: instances,
      predictions,
      runId,
      reportDir,
      envSpecs: {},
      resolveEnv: env.resolveEnv,
      createSandbox: kit.createSandbox,
      repoSource,
      maxWorkers: 2,
      logger,
      signal,
      onProgress: progress.listen((_, o) =>
        o.report?.resolved ? 'resolved' : o.status === 'error' ? 'error' : 'unresolved',
      ),
    });
    progress.finish();
    runs[runId] = { resolved: r.summary.resolved_instances, total: r.summary.total_instances };
  }
  say('4/6 labelling difficulty offline (SPICE model, no LLM)');
  const labels = [];
  for (const i of instances) labels.push(await labelOffline(i));
  const labelsFile = join(dir, 'labels.jsonl');
  await writeFile(labelsFile, formatJsonl(labels));
  say('5/6 storage report');
  const { report: _report, ...storage } = await env.measureStorage(instances, signal);
  const storageFile = join(dir, 'storage.json');
  await writeFile(storageFile, `${JSON.stringify({ backend: kit.name, ...storage }, null, 2)}\n`);
  say('6/6 HTML reports');
  for (const runId of Object.keys(runs)) {
    runs[runId]!.html = await writeHtmlReport({
      reportDir,
      runId,
      out: join(dir, `report-${runId}.html`),
      labels: labelsFile,
      storage: storageFile,
    });
  }
  const result = {
    backend: kit.name,
    instances: instances.length,
    dataset: datasetFile,
    labels: labelsFile,
    storage: storageFile,
    runs,
    amortizedMBPerInstance: storage.amortizedMBPerInstance,
    ratio: storage.ratio,
  };
  if (json) io.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    io.stdout.write(
      [
        `Demo done (${kit.name} backend): ${instances.length} validated task instances mined from 2 repositories.`,
        `  gold:  ${runs['demo-gold']!.resolved}/${runs['demo-gold']!.total} resolved   -> ${runs['demo-gold']!.html}`,
        `  wrong: ${runs['demo-wrong']!.resolved}/${runs['demo-wrong']!.total} resolved   -> ${runs['demo-wrong']!.html}`,
        `  instances: ${datasetFile}`,
        `  labels:    ${labelsFile}`,
        `  storage:   ${storageFile} (${storage.amortizedMBPerInstance} MB per instance; one ${kit.name === 'docker' ? 'image' : 'environment'} per instance would take ${storage.baselineMBPerInstance} MB: ${storage.ratio}x${kit.name === 'local' ? '; the host system local environments run on is not counted' : ''})`,
        '',
      ].join('\n'),
    );
  }
  return runs['demo-gold']!.resolved === instances.length && runs['demo-wrong']!.resolved === 0 ? 0 : 1;
}

/** `repoforge demo`: the whole pipeline on an embedded default. */
export const demoCommand: Command = {
  name: 'demo',
  summary:
    'the whole pipeline on generated repos: mine, build envs, evaluate gold and a wrong patch, label, report',
  examples: [
    'repoforge demo',
    'repoforge demo --dir /tmp/rf-demo --fixes 5',
    'repoforge demo --backend local',
  ],
  options: {
    dir: { type: 'string', value: 'DIR', description: 'where everything goes', default: '.repoforge/demo' },
    fixes: { type: 'string', value: 'N', description: 'bug-fix commits per demo repo', default: '3' },
    backend: BACKEND_OPTION,
  },
  run: demo,
};
