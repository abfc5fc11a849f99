import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { plannedEnvs } from '@repoforge/deps';
import {
  backendConflict,
  EnvValidations,
  FAIL_ONLY_REPOS,
  gradeLog,
  type InstanceOutcome,
  loadDataset,
  loadEnvSpecs,
  loadPredictions,
  previousDurations,
  QueueExecutor,
  RECIPE_REPOS,
  RepoCache,
  recipesOn,
  resolveLogParserName,
  runEvaluation,
} from '@repoforge/harness';
import { formatInstanceReportFile } from '@repoforge/schema';
import { fileArg, numberArg } from '../args.js';
import { BACKEND_OPTION, backendKit } from '../backend.js';
import { type Command, UsageError } from '../command.js';
import { cliLogger } from '../logger.js';
import { Progress } from '../progress.js';
import { ENV_REGISTRY_OPTION, envRegistryArg, sharedImages } from '../shared-images.js';
import { runWorkers, workerOptions } from '../workers.js';

/** How many instances, which, and for how long: the options every command that runs instances takes. */
export const INSTANCE_RUN_OPTIONS = {
  'instance-ids': {
    type: 'string' as const,
    multiple: true,
    value: 'ID',
    description: 'only these instances (repeatable, or comma-separated)',
  },
  'max-workers': { type: 'string' as const, value: 'N', description: 'instances at once', default: '1' },
  timeout: {
    type: 'string' as const,
    value: 'SECONDS',
    description: 'per-instance timeout',
    default: '1800',
  },
};

const run: Command = {
  name: 'run',
  summary: 'evaluate predictions on a dataset in sandboxes and write SWE-bench reports',
  examples: [
    'repoforge eval run --dataset instances.jsonl --predictions gold --run-id try1 --env-spec env.json --repo-cache ./repos',
    'repoforge eval run --dataset verified.jsonl --predictions preds.jsonl --run-id r2 --max-workers 2 --timeout 900',
  ],
  options: {
    dataset: {
      type: 'string',
      value: 'FILE',
      description: 'SWE-bench / Multilingual / Multi-SWE-bench JSON or JSONL',
    },
    predictions: {
      type: 'string',
      value: 'FILE|gold',
      description: "predictions file, or 'gold' for each instance's own patch",
    },
    'run-id': { type: 'string', value: 'ID', description: 'run id (re-running it resumes)' },
    ...INSTANCE_RUN_OPTIONS,
    'repo-cache': {
      type: 'string',
      value: 'DIR',
      description: 'clones/mirrors as owner/name or owner__name (missing ones are cloned)',
      default: '.repoforge/repos',
    },
    'env-spec': {
      type: 'string',
      value: 'FILE',
      description: 'environments per repo and version (JSON); others are planned from the repo',
    },
    'report-dir': {
      type: 'string',
      value: 'DIR',
      description: 'where logs/ and the summary go',
      default: '.',
    },
    repeat: { type: 'string', value: 'N', description: 'run each instance N times; report flaky tests' },
    parser: {
      type: 'string',
      value: 'NAME',
      description: 'log parser for every instance (e.g. parse_log_pytest)',
    },
    grading: {
      type: 'string',
      value: 'strict|legacy',
      description: 'legacy = SWE-bench without later hardening',
      default: 'strict',
    },
    'whole-suite': {
      type: 'boolean',
      description: "run whole test suites instead of each instance's test files ({tests} in a test_cmd)",
    },
    'rewrite-reports': { type: 'boolean', description: 'regrade from saved logs without running anything' },
    'validate-envs': {
      type: 'boolean',
      description:
        'run the gold patch in each environment before its first verdict (cached); where gold fails, instances are unservable errors',
    },
    'min-tests-seen': {
      type: 'string',
      value: 'FRACTION',
      description: "share of an instance's expected tests its log must show to carry a verdict",
      default: '1',
    },
    'use-instance-images': {
      type: 'boolean',
      description:
        "run instances with 'image' + 'eval_script' (SWE-bench's) in that image, pulled if missing",
    },
    'instance-image-namespace': {
      type: 'string',
      value: 'REGISTRY/NS',
      description:
        "registry namespace for instance images (SWE-bench's --namespace), e.g. myhost:5000/swebench",
    },
    recipes: {
      type: 'string',
      value: 'debian|pip|none',
      description:
        "built-in environments for SWE-bench repos without an --env-spec entry (pip: SWE-bench's pins)",
      default: 'debian',
    },
    'python-image': {
      type: 'string',
      value: 'IMAGE',
      description:
        "the pip recipes' Python image, {python} standing for its version (default python:{python})",
    },
    'pip-index-url': {
      type: 'string',
      value: 'URL',
      description: "a PyPI mirror (PEP 503 simple index) for the pip recipes' install steps",
    },
    queue: {
      type: 'string',
      value: 'redis://HOST:PORT[/DB]',
      description: "fan out to 'repoforge eval worker' processes through this Redis",
    },
    'env-registry': ENV_REGISTRY_OPTION,
    backend: BACKEND_OPTION,
  },
  async run({ io, values, signal, verbose, json }) {
    const cwd = io.cwd;
    const datasetPath = fileArg(values, 'dataset', cwd);
    const runId = values['run-id'];
    if (typeof runId !== 'string' || !/^[\w.-]+$/.test(runId))
      throw new UsageError('--run-id is required (letters, digits, . _ -)');
    const predArg = values.predictions;
    if (typeof predArg !== 'string') throw new UsageError("--predictions is required (a file, or 'gold')");
    const grading = String(values.grading);
    if (grading !== 'strict' && grading !== 'legacy')
      throw new UsageError('--grading must be strict or legacy');
    const recipes = String(values.recipes);
    if (recipes !== 'debian' && recipes !== 'pip' && recipes !== 'none')
      throw new UsageError('--recipes must be debian, pip or none');
    const pipIndex = values['pip-index-url'];
    if (typeof pipIndex === 'string' && !/^https?:\/\/[^/]/.test(pipIndex))
      throw new UsageError(`--pip-index-url is not an http(s) URL: ${pipIndex.slice(0, 200)}`);
    const envRegistry = envRegistryArg(values['env-registry']);
    const minTestsSeen = Number(values['min-tests-seen']);
    if (!(minTestsSeen >= 0 && minTestsSeen <= 1))
      throw new UsageError('--min-tests-seen must be a number from 0 to 1');
    const dataset = await loadDataset(datasetPath, { signal });
    const predictions =
      predArg === 'gold'
        ? 'gold'
        : await loadPredictions(fileArg(values, 'predictions', cwd), { signal, oneModel: true });
    const envSpecs = values['env-spec'] ? await loadEnvSpecs(fileArg(values, 'env-spec', cwd)) : {};
    const repoSource = new RepoCache({ cacheDir: resolve(cwd, String(values['repo-cache'])) });
    const ids = (values['instance-ids'] as string[] | undefined)
      ?.flatMap((s) => s.split(','))
      .filter(Boolean);
    const logger = cliLogger(io, verbose);
    const rewrite = values['rewrite-reports'] === true;
    // Regrading saved logs runs nothing: no backend needed.
    const shared = await sharedImages(envRegistry, logger, values.queue as string | undefined);
    const kit = rewrite ? undefined : await backendKit(values.backend, logger, shared.images);
    const conflict =
      kit &&
      backendConflict({
        backend: kit.name,
        envSpecs: values['env-spec'] !== undefined,
        useInstanceImages: values['use-instance-images'] === true,
        queue: values.queue !== undefined,
      });
    if (conflict)
      throw new UsageError(conflict, 'start an engine with `bash tools/setup-docker.sh`, or drop the option');
    if (kit) io.stderr.write(`backend: ${kit.name} (${kit.reason})\n`);
    if (kit?.name !== 'local' && recipes !== 'none') {
      const served = [...new Set(dataset.map((i) => i.repo))].filter(
        (r) => RECIPE_REPOS.includes(r) && !envSpecs[r],
      );
      if (served.length)
        io.stderr.write(
          `environments: built-in ${recipes} recipe for ${served.join(', ')} (--recipes to change)\n`,
        );
    }
    const progress = new Progress(io, 'eval', 0);
    const reportDir = resolve(cwd, String(values['report-dir']));
    const queueUrl = values.queue as string | undefined;
    const executor = queueUrl
      ? new QueueExecutor({ url: queueUrl, expectedDurations: await previousDurations(reportDir), logger })
      : undefined;
    let resolvedCount = 0;
    const showProgress = progress.listen<InstanceOutcome>(
      (_, o) => {
        if (o.report?.resolved) resolvedCount++;
        if (o.status === 'error') return `error, ${o.errorClass ?? 'error'} (${o.error})`;
        return o.report?.resolved ? 'resolved' : 'unresolved';
      },
      () => `resolved ${resolvedCount}`,
    );
    const result = await runEvaluation({
      dataset,
      predictions,
      runId,
      reportDir,
      executor,
      instanceIds: ids,
      maxWorkers: numberArg(values, 'max-workers', true),
      timeoutSec: numberArg(values, 'timeout', true),
      envSpecs,
      repoSource,
      // Repos without an --env-spec entry get environments planned from the repo itself.
      resolveEnv: plannedEnvs(repoSource, logger, kit?.envs, kit?.createSandbox, {
        wholeSuite: values['whole-suite'] === true ? true : undefined,
      }).resolveEnv,
      createSandbox: kit?.createSandbox,
      images: shared.images,
      reapLeftovers: kit?.reapLeftovers,
      parser: values.parser as string | undefined,
      rewriteReports: rewrite,
      useInstanceImages: values['use-instance-images'] === true,
      instanceImageNamespace: values['instance-image-namespace'] as string | undefined,
      // Built-in recipes are Docker images; the local backend plans environments from each repo instead.
      recipes: recipesOn(kit?.name ?? 'docker', recipes),
      recipeOptions: {
        pythonImage: values['python-image'] as string | undefined,
        pipIndexUrl: values['pip-index-url'] as string | undefined,
      },
      repeat: numberArg(values, 'repeat', true),
      validateEnvs: values['validate-envs'] === true,
      validations: new EnvValidations(resolve(cwd, '.repoforge', 'env-validations')),
      minTestsSeen,
      gradeMode: grading,
      wholeSuite: values['whole-suite'] === true ? true : undefined,
      logger,
      signal,
      onProgress: (e) => {
        if (e.type === 'start' && e.skipped)
          io.stderr.write(`resuming run ${runId}: ${e.skipped} instance(s) already finished\n`);
        showProgress(e);
      },
    });
    await executor?.close();
    await shared.close();
    progress.finish();
    const sharing = shared.summary();
    if (sharing) io.stderr.write(`${sharing}\n`);
    for (const id of result.unknownPredictionIds)
      io.stderr.write(`warning: prediction for unknown instance ${id} (not in the dataset)\n`);
    const s = result.summary;
    if (json)
      io.stdout.write(
        `${JSON.stringify({ summary: s, summaryFile: result.summaryFile, errors: result.errors, flaky: result.flaky, unseenTests: result.unseenTests, networkExcluded: result.networkExcluded, unknownPredictionIds: result.unknownPredictionIds })}\n`,
      );
    else {
      io.stdout.write(
        `Total instances: ${s.total_instances}\nInstances submitted: ${s.submitted_instances}\nInstances completed: ${s.completed_instances}\n` +
          `Instances incomplete: ${s.incomplete_ids.length}\nInstances resolved: ${s.resolved_instances}\nInstances unresolved: ${s.unresolved_instances}\n` +
          `Instances with empty patches: ${s.empty_patch_instances}\nInstances with errors: ${s.error_instances}\nReport written to ${result.summaryFile}\n`,
      );
      for (const [id, e] of Object.entries(result.errors))
        io.stdout.write(`error in ${id} (${e.class}): ${e.reason}\n`);
      for (const [id, n] of Object.entries(result.unseenTests))
        if (!result.errors[id])
          io.stdout.write(
            `warning: ${id}: only ${n.seen} of ${n.expected} expected tests were seen in its log\n`,
          );
      for (const [id, tests] of Object.entries(result.flaky))
        if (tests.length) io.stdout.write(`flaky in ${id}: ${tests.join(', ')}\n`);
      for (const [id, tests] of Object.entries(result.networkExcluded))
        io.stdout.write(`not graded in ${id} (need the internet): ${tests.join(', ')}\n`);
    }
    return s.error_instances > 0 || result.unknownPredictionIds.length > 0 ? 1 : 0;
  },
};

const grade: Command = {
  name: 'grade',
  summary: 'grade one saved log and print its report.json exactly as SWE-bench would write it',
  examples: [
    'repoforge eval grade --dataset verified.jsonl --instance-id django__django-11099 --log test_output.txt',
  ],
  options: {
    dataset: { type: 'string', value: 'FILE', description: 'dataset holding the instance' },
    'instance-id': { type: 'string', value: 'ID', description: 'the instance' },
    log: { type: 'string', value: 'FILE', description: 'the test_output.txt to grade' },
    'exit-code': {
      type: 'string',
      value: 'N',
      description: "the test command's exit code, if known (strict grading uses it)",
    },
    parser: { type: 'string', value: 'NAME', description: 'log parser override' },
    grading: { type: 'string', value: 'strict|legacy', description: 'grading rules', default: 'strict' },
  },
  async run({ io, values, signal }) {
    const dataset = await loadDataset(fileArg(values, 'dataset', io.cwd), { signal });
    const id = values['instance-id'];
    const instance = dataset.find((i) => i.instance_id === id);
    if (!instance) throw new UsageError(`--instance-id: ${String(id)} is not in the dataset`);
    const parser = resolveLogParserName(instance, { override: values.parser as string | undefined });
    if (!parser) throw new UsageError(`no log parser known for ${instance.repo}`, 'pass --parser NAME');
    const exit = values['exit-code'];
    if (exit !== undefined && !/^\d+$/.test(String(exit)))
      throw new UsageError('--exit-code must be a number');
    const { report, error } = gradeLog({
      instance,
      modelPatch: 'graded from a log',
      log: readFileSync(fileArg(values, 'log', io.cwd), 'utf8'),
      parser,
      options: {
        mode: values.grading === 'legacy' ? 'legacy' : 'strict',
        failOnly: FAIL_ONLY_REPOS.has(instance.repo),
        exitCode: exit === undefined ? undefined : Number(exit),
      },
    });
    if (error) {
      // SWE-bench writes no report for such a run: it is an error instance, not an unresolved one.
      io.stderr.write(`${instance.instance_id}: error (${error}): the log ends in a timeout, no verdict\n`);
      return 1;
    }
    io.stdout.write(`${formatInstanceReportFile(instance.instance_id, report)}\n`);
    return 0;
  },
};

const worker: Command = {
  name: 'worker',
  summary:
    "evaluate instances from a queue that 'repoforge eval run --queue' fills (any machine with Docker)",
  examples: ['repoforge eval worker --queue redis://10.0.0.5:6379 --concurrency 2 --repo-cache /data/repos'],
  options: workerOptions('instances'),
  run: ({ io, values, signal, verbose }) => runWorkers(['eval'], { io, values, signal, verbose }),
};

/** `repoforge eval ...` */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'SWE-bench-compatible evaluation: run predictions, or grade a saved log',
  subcommands: [run, grade, worker],
};
