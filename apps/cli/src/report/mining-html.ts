import { formatCounts, type MineResult } from '@repoforge/datagen';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A funnel stage as a bar, its width against the commits scanned. */
function stage(label: string, n: number, of: number): string {
  const w = of ? Math.max(2, Math.round((n / of) * 300)) : 2;
  return `<tr><td>${esc(label)}</td><td class="n">${n}</td><td><svg width="310" height="14"><rect width="${w}" height="12" rx="2"></rect></svg></td></tr>`;
}

const counts = (title: string, map: Record<string, number | undefined>) => {
  const rows = Object.entries(map)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="n">${v ?? 0}</td></tr>`)
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><table>${rows || '<tr><td>none</td></tr>'}</table></figure>`;
};

/** The evidence of one rejected candidate: why, the test command, each run's exit code, statuses and log tail. */
function evidenceBlock(r: MineResult['rejections'][number]): string {
  const e = r.evidence;
  const runs = (e?.runs ?? [])
    .map(
      (run) =>
        `<h4>${esc(run.side)} run: exit ${esc(run.exitCode ?? '?')}, ${esc(formatCounts(run.counts))}</h4><pre>${esc(run.tail)}</pre>`,
    )
    .join('');
  return `<details id="ev-${esc(r.commit)}"><summary><code>${esc(r.commit.slice(0, 12))}</code> ${esc(r.verdict)}</summary><p>${esc(e?.why ?? 'rejected before validation')}</p>${e?.testCmd ? `<p>test command: <code>${esc(e.testCmd)}</code></p>` : ''}${runs}</details>`;
}

/**
 * The mining report: one self-contained page (no network): the funnel, rejections by reason, environments by
 * rung, and per candidate its verdict with a link to its evidence.
 */
export function renderMiningReport(result: MineResult, repo: string, generatedAt: string): string {
  const f = result.funnel;
  const accepted = result.instances.map((i) => {
    const commit = (i.repoforge as { commit?: string } | undefined)?.commit ?? '';
    return `<tr class="validated"><td><code>${esc(commit.slice(0, 12))}</code></td><td class="st ok">validated</td><td>${esc(i.instance_id)}: ${i.FAIL_TO_PASS.length} FAIL_TO_PASS, ${i.PASS_TO_PASS.length} PASS_TO_PASS</td><td></td></tr>`;
  });
  const rejected = result.rejections.map(
    (r) =>
      `<tr class="rejected"><td><code>${esc(r.commit.slice(0, 12))}</code></td><td class="st bad">${esc(r.verdict)}</td><td>${esc(r.evidence?.why ?? '')}</td><td><a href="#ev-${esc(r.commit)}">evidence</a></td></tr>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RepoForge mining: ${esc(repo)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fbfbfd}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}h4{margin:8px 0 2px;font-size:13px}
table{border-collapse:collapse;background:#fff;margin-top:4px}th,td{border-bottom:1px solid #e6e9f0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f8}td.n{text-align:right;font-variant-numeric:tabular-nums}svg rect{fill:#4f6bd8}
figure{display:inline-block;margin:8px 24px 8px 0;vertical-align:top}figcaption{font-weight:600}
.st.ok{color:#0b7a3e;font-weight:600}.st.bad{color:#b91c1c;font-weight:600}
pre{background:#11151c;color:#dfe6f0;padding:8px;max-height:240px;overflow:auto;font-size:12px}
details{background:#fff;border:1px solid #dde1ea;border-radius:6px;padding:6px 10px;margin:6px 0}
</style></head><body>
<h1>RepoForge mining: ${esc(repo)}</h1><div>generated ${esc(generatedAt)} · yield <b id="yield">${Math.round(f.yield * 100)}%</b> of candidates</div>
<section><h2>Funnel</h2><table id="funnel">
${stage('commits scanned', f.commitsScanned, f.commitsScanned)}
${stage('candidates', f.candidates, f.commitsScanned)}
${stage('environments ready', f.envBuilt, f.commitsScanned)}
${stage('before/after ran', f.beforeAfterRan, f.commitsScanned)}
${stage('validated', f.validated, f.commitsScanned)}
</table></section>
<section>${counts('Seconds per stage (summed over candidates)', Object.fromEntries(Object.entries(f.stageMs).map(([k, ms]) => [k, Math.round(ms / 100) / 10])))}${counts('Rejected, by reason', f.rejected)}${counts('Environments, by ladder rung', f.envRungs)}${counts('Environment failures, by class', f.envFailures)}</section>
<section><h2>Candidates</h2><table id="candidates"><thead><tr><th>Commit</th><th>Verdict</th><th>Why</th><th></th></tr></thead><tbody>
${[...accepted, ...rejected].join('\n')}
</tbody></table></section>
<section><h2>Evidence</h2>${result.rejections.map(evidenceBlock).join('\n') || '<p>no rejection after validation started</p>'}</section>
</body></html>
`;
}
