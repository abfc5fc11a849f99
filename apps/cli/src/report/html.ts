import { relative } from 'node:path';
import type { ReportData } from './data.js';

const esc = (s: unknown) =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
const pct = (a: number, b: number) => (b ? `${Math.round((a / b) * 1000) / 10}%` : '–');
const DIFF = ['<15 min', '15 min–1 h', '1–4 h', '>4 h'];

/** A horizontal bar chart as inline SVG. */
function bars(title: string, items: { label: string; value: number; note?: string }[], unit = ''): string {
  const max = Math.max(1, ...items.map((i) => i.value));
  const h = 22;
  const rows = items
    .map((it, i) => {
      const w = Math.round((it.value / max) * 260);
      return `<g transform="translate(0,${i * h})"><text x="0" y="15" class="lbl">${esc(it.label)}</text><rect x="150" y="4" width="${w}" height="14" rx="2"></rect><text x="${156 + w}" y="15" class="val">${esc(it.note ?? `${it.value}${unit}`)}</text></g>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg role="img" aria-label="${esc(title)}" width="520" height="${items.length * h + 4}">${rows}</svg></figure>`;
}

/**
 * The environment cell: its source, the runtime that ran the tests (versions; the image and its id on hover), and for a
 * planned one each rung the ladder tried with its outcome.
 */
function envCell(env: ReportData['rows'][number]['environment']): string {
  if (!env) return '–';
  const steps = (env.attempts ?? [])
    .map((a) => `<li title="${esc(a.detail)}">${esc(a.rung)}: <b>${esc(a.outcome)}</b></li>`)
    .join('');
  const runtime = env.runtime
    ? `<div class="runtime" title="${esc([env.runtime.image, env.runtime.image_id].filter(Boolean).join(' '))}">${esc(
        Object.entries(env.runtime.versions)
          .map(([tool, v]) => `${tool} ${v}`)
          .join(', '),
      )}</div>`
    : '';
  return `${esc(env.source)}${runtime}${steps ? `<ol class="rungs">${steps}</ol>` : ''}`;
}

/** One self-contained HTML page (no network): rates, a sortable table, charts, storage figures. */
export function renderReport(data: ReportData, outDir: string): string {
  const rows = data.rows;
  const resolved = rows.filter((r) => r.status === 'resolved').length;
  const repos = [...new Set(rows.map((r) => r.repo))].sort();
  const perRepo = repos.map((repo) => {
    const rs = rows.filter((r) => r.repo === repo);
    const ok = rs.filter((r) => r.status === 'resolved').length;
    return {
      label: repo,
      value: rs.length ? Math.round((ok / rs.length) * 100) : 0,
      note: `${ok}/${rs.length} (${pct(ok, rs.length)})`,
    };
  });
  const durations = rows
    .filter((r) => r.durationMs !== undefined)
    .map((r) => ({
      label: r.instance_id.slice(-22),
      value: Math.round(r.durationMs! / 100) / 10,
      note: `${(r.durationMs! / 1000).toFixed(1)} s`,
    }));
  const labelled = rows.filter((r) => r.difficulty !== undefined);
  const diffDist = DIFF.map((d, i) => ({
    label: d,
    value: labelled.filter((r) => r.difficulty === i).length,
  }));
  const diffResolved = DIFF.map((d, i) => {
    const rs = labelled.filter((r) => r.difficulty === i);
    const ok = rs.filter((r) => r.status === 'resolved').length;
    return {
      label: d,
      value: rs.length ? Math.round((ok / rs.length) * 100) : 0,
      note: `${ok}/${rs.length}`,
    };
  });
  const tr = rows
    .map((r) => {
      const link = esc(relative(outDir, r.logDir));
      return `<tr data-status="${esc(r.status)}"><td>${esc(r.instance_id)}</td><td>${esc(r.repo)}</td><td class="st ${esc(r.status.replace(' ', '-'))}">${esc(r.status)}</td><td data-v="${r.f2p.success}">${r.f2p.success}/${r.f2p.success + r.f2p.failure}</td><td data-v="${r.p2p.success}">${r.p2p.success}/${r.p2p.success + r.p2p.failure}</td><td data-v="${r.durationMs ?? -1}">${r.durationMs === undefined ? '–' : `${(r.durationMs / 1000).toFixed(1)} s`}</td><td data-v="${r.difficulty ?? -1}">${r.difficulty === undefined ? '–' : esc(DIFF[r.difficulty])}</td><td class="env">${envCell(r.environment)}</td><td><a href="${link}/test_output.txt">log</a> · <a href="${link}/report.json">report</a> · <a href="${link}/patch.diff">patch</a></td></tr>`;
    })
    .join('\n');
  const s = data.storage as Record<string, number> | undefined;
  const about = data.storage as { backend?: string; source?: string } | undefined;
  // Local-backend environments are directories on the host; their figures leave the host system out.
  const local = about?.backend === 'local';
  const unit = local ? 'environment' : 'image';
  // `storage report --run-id` measures the images the run used; without it, planned ones: the page says which.
  const measured = about?.source ? `<dt>Measured</dt><dd>${esc(about.source)}</dd>` : '';
  const storage = s
    ? `<section><h2>Storage</h2><dl>${measured}<dt>Instances</dt><dd>${esc(s.instances)}</dd><dt>Environment ${unit}s</dt><dd>${esc(s.images)}${local ? ' (local directories; the host system is not counted)' : ''}</dd><dt>Amortized per instance</dt><dd>${esc(s.amortizedMBPerInstance)} MB</dd><dt>One ${unit} per instance</dt><dd>${esc(s.baselineMBPerInstance)} MB</dd><dt>Ratio</dt><dd>${esc(s.ratio)}× smaller</dd></dl></section>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>RepoForge run ${esc(data.runId)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fbfbfd}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{background:#fff;border:1px solid #dde1ea;border-radius:8px;padding:10px 14px;min-width:120px}
.card b{display:block;font-size:22px}
table{border-collapse:collapse;background:#fff;width:100%;margin-top:8px}th,td{border-bottom:1px solid #e6e9f0;padding:5px 8px;text-align:left}
th{cursor:pointer;user-select:none;background:#f1f3f8}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
.st.resolved{color:#0b7a3e;font-weight:600}.st.unresolved{color:#b45309}.st.not-applied,.st.error{color:#b91c1c}
figure{display:inline-block;margin:8px 24px 8px 0;vertical-align:top}figcaption{font-weight:600;margin-bottom:4px}
svg rect{fill:#4f6bd8}svg .lbl,svg .val{font-size:12px;fill:#334}
.rungs{margin:2px 0 0;padding-left:18px;font-size:12px}dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#556}dd{margin:0;font-weight:600}
</style></head><body>
<h1>RepoForge evaluation: ${esc(data.runId)}</h1><div>${rows.length} instances · generated ${esc(data.generatedAt)}</div>
<section class="cards"><div class="card">Resolved<b id="resolved-rate">${pct(resolved, rows.length)}</b>${resolved}/${rows.length}</div>
${perRepo.map((r) => `<div class="card">${esc(r.label)}<b>${esc(r.note.split(' ')[1]?.replace(/[()]/g, '') ?? '')}</b>${esc(r.note.split(' ')[0])}</div>`).join('')}</section>
<section><h2>Charts</h2>${bars('Resolved by repo (%)', perRepo, '%')}${durations.length ? bars('Duration per instance (s)', durations) : ''}${labelled.length ? bars('Difficulty (offline SPICE labels)', diffDist) + bars('Resolved by difficulty (%)', diffResolved, '%') : ''}</section>
${storage}
<section><h2>Instances</h2><table id="instances"><thead><tr><th>Instance</th><th>Repo</th><th>Status</th><th>F2P</th><th>P2P</th><th>Duration</th><th>Difficulty</th><th>Environment</th><th>Files</th></tr></thead><tbody>
${tr}
</tbody></table></section>
<script>
(() => {
  const table = document.getElementById('instances');
  table.querySelectorAll('th').forEach((th, col) => th.addEventListener('click', () => {
    const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
    table.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', dir);
    const key = (tr) => { const td = tr.children[col]; return td.dataset.v !== undefined ? Number(td.dataset.v) : td.textContent; };
    const rows = [...table.tBodies[0].rows].sort((a, b) => { const x = key(a), y = key(b); const c = x < y ? -1 : x > y ? 1 : 0; return dir === 'ascending' ? c : -c; });
    rows.forEach((r) => table.tBodies[0].appendChild(r));
  }));
})();
</script></body></html>
`;
}
