/** @jsxImportSource hono/jsx */
/**
 * @module http/status/page
 * The status page at `/`, rendered with Hono JSX (no front-end build): discovery health, totals,
 * and one page of targets with their last scrape outcome (problems first), a text filter answered
 * by the server over all targets, and a small script that refreshes the page's sections in place. All user-controlled text (names, routes, errors) goes
 * through JSX, which escapes it; the script is a constant and carries no data, so nothing
 * user-controlled ever lands inside a `<script>` element. The pragma on the first line makes
 * the JSX runtime independent of which tsconfig.json the runtime finds (Bun reads the one of its
 * working directory, which for the binary or a test subprocess is not this project's).
 */
import type { FC } from 'hono/jsx'
import { DEFAULT_PAGE_SIZE, rowText, type StatusRow, type StatusView } from './model.ts'

/** Renders the whole document; `nonce` allows the inline script and style under the page's CSP. */
export function renderStatusPage(view: StatusView, nonce: string): string {
  return `<!DOCTYPE html>${(<StatusPage view={view} nonce={nonce} />).toString()}`
}

/**
 * Renders only the parts the page's script swaps in when it refreshes (`/?part=sections`): no
 * style or script, so the parsed fragment cannot trip the page's Content-Security-Policy.
 */
export function renderStatusSections(view: StatusView): string {
  return (<Sections view={view} />).toString()
}

const Sections: FC<{ view: StatusView }> = ({ view }) => (
  <div>
    <Discovery view={view} />
    <Summary view={view} />
    <Groups view={view} />
    <Targets rows={view.rows} now={view.now} />
  </div>
)

const Summary: FC<{ view: StatusView }> = ({ view }) => (
  <section id="summary" aria-label="Scrape summary">
    <span class="up">{view.counts.up} up</span>
    <span class="down">{view.counts.down} down</span>
    <span class="pending">{view.counts.pending} not scraped yet</span>
    <span>
      <output id="shown">{view.matching}</output> of {view.discovery.targets} match{view.query === '' ? '' : ` "${view.query}"`}
    </span>
    <Pager view={view} />
  </section>
)

/** Matching instances per space, the spaces with most problems first; each links to its filter. */
const Groups: FC<{ view: StatusView }> = ({ view }) => {
  const { rows, total } = view.groups
  const c = view.matchingCounts
  return (
    <details id="groups" open={total > 1}>
      <summary>
        By space: {total} space{total === 1 ? '' : 's'} with matching instances ({c.up} up, {c.down} down, {c.pending} not scraped yet)
        {total > rows.length ? `; the ${rows.length} with most problems` : ''}
      </summary>
      <table>
        <thead>
          <tr>
            {view.platforms.length > 1 && <th>Platform</th>}
            <th>Org / team</th>
            <th>Space</th>
            <th>Up</th>
            <th>Down</th>
            <th>Not scraped yet</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((g) => (
            <tr>
              {view.platforms.length > 1 && <td data-label="Platform">{g.platform}</td>}
              <td data-label="Org / team">{g.owner}</td>
              <td data-label="Space">
                <a href={`/?${new URLSearchParams({ q: `${g.owner} ${g.space}`, refresh: String(view.refreshSeconds) }).toString()}`}>{g.space}</a>
              </td>
              <td data-label="Up" class="up">{g.up}</td>
              <td data-label="Down" class={g.down > 0 ? 'down' : ''}>{g.down}</td>
              <td data-label="Not scraped yet" class="pending">{g.pending}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}

/** Where this page is among the matching rows (problems first), with links to the neighbours. */
const Pager: FC<{ view: StatusView }> = ({ view }) => {
  const { number, size, pages } = view.page
  const href = (n: number) => {
    const params = new URLSearchParams()
    if (view.query !== '') params.set('q', view.query)
    if (n > 1) params.set('page', String(n))
    if (size !== DEFAULT_PAGE_SIZE) params.set('size', String(size))
    params.set('refresh', String(view.refreshSeconds))
    return `/?${params.toString()}`
  }
  const first = view.matching === 0 ? 0 : (number - 1) * size + 1
  return (
    <nav id="pager" aria-label="Pages">
      rows {first}–{first + view.rows.length - (view.rows.length > 0 ? 1 : 0)}, page {number} of {pages}
      {number > 1 && (
        <a rel="prev" href={href(number - 1)}>
          previous
        </a>
      )}
      {number < pages && (
        <a rel="next" href={href(number + 1)}>
          next
        </a>
      )}
    </nav>
  )
}

const StatusPage: FC<{ view: StatusView; nonce: string }> = ({ view, nonce }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>Promregator status</title>
      <style nonce={nonce} dangerouslySetInnerHTML={{ __html: STYLE }} />
    </head>
    <body data-refresh={String(view.refreshSeconds)}>
      <header>
        <h1>Promregator</h1>
        <span class="version">{view.version}</span>
        <nav>
          <a href="/discovery">/discovery</a>
          <a href="/metrics">/metrics</a>
          <a href="/promregatorMetrics">/promregatorMetrics</a>
          <a href="/-/ready">/-/ready</a>
        </nav>
      </header>
      <Discovery view={view} />
      <Summary view={view} />
      <form method="get" action="/" id="filter-form" role="search">
        <label for="filter">Filter</label>
        <input id="filter" name="q" type="search" value={view.query} placeholder="org, space, app, route, outcome, reason…" autocomplete="off" />
        <input type="hidden" name="refresh" value={String(view.refreshSeconds)} />
        {view.page.size !== DEFAULT_PAGE_SIZE && <input type="hidden" name="size" value={String(view.page.size)} />}
      </form>
      <Groups view={view} />
      <Targets rows={view.rows} now={view.now} />
      <p id="refresh-error" class="down" hidden>
        Refreshing failed; showing older data.
      </p>
      <footer>
        Refreshes every {view.refreshSeconds} s. Rendered {new Date(view.now).toISOString()}.
      </footer>
      <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SCRIPT }} />
    </body>
  </html>
)

const Discovery: FC<{ view: StatusView }> = ({ view }) => {
  const d = view.discovery
  const health = !d.ready ? 'pending' : d.lastError ? 'stale' : 'ok'
  return (
    <section id="discovery" class={`discovery ${health}`} aria-label="Discovery">
      <h2>Discovery: {health === 'ok' ? 'healthy' : health === 'stale' ? 'serving the last good picture' : 'first discovery not done yet'}</h2>
      <dl>
        <dt>Last refresh</dt>
        <dd id="discovery-refreshed">{d.refreshedAt === undefined ? 'never' : `${new Date(d.refreshedAt).toISOString()} (${d.ageSeconds} s ago)`}</dd>
        <dt>Last attempt</dt>
        <dd>
          {d.lastAttemptAt === undefined ? 'none' : new Date(d.lastAttemptAt).toISOString()}
          {d.lastDurationMs === undefined ? '' : `, took ${Math.round(d.lastDurationMs)} ms`}
          {d.refreshing ? ' (refreshing now)' : ''}
        </dd>
        <dt>Targets</dt>
        <dd>
          {d.targets} instances of {d.apps} apps
        </dd>
        {d.invalidations && (
          <>
            <dt>Cache invalidations</dt>
            <dd id="invalidations">
              {d.invalidations.requested} requested, {d.invalidations.refreshes} refreshes run
            </dd>
          </>
        )}
        <dt>Platform API error</dt>
        <dd id="discovery-error" class={d.lastError ? 'down' : ''}>
          {d.lastError ?? 'none'}
        </dd>
      </dl>
      <Platforms view={view} />
      <Problems view={view} />
    </section>
  )
}

/** One line per platform entry (shown when more than one is configured, or when one has notes). */
const Platforms: FC<{ view: StatusView }> = ({ view }) => {
  const shown = view.platforms.filter((p) => view.platforms.length > 1 || p.info.notes.length > 0)
  if (shown.length === 0) return <></>
  return (
    <ul id="platforms">
      {shown.map((p) => (
        <li class={p.lastError ? 'down' : ''}>
          {p.info.kind} <b>{p.name}</b> ({p.info.api}): {p.targets} instances of {p.apps} apps
          {p.lastSuccessAt === undefined ? ', never discovered' : `, discovered ${Math.max(0, Math.round((view.now - p.lastSuccessAt) / 1000))} s ago`}
          {p.lastError ? `; last error: ${p.lastError}` : ''}
          {p.info.notes.map((n) => (
            <div class={n.level === 'warn' ? 'down' : ''}>{n.text}</div>
          ))}
        </li>
      ))}
    </ul>
  )
}

/** Selected apps that yield no target (no route, ...). */
const Problems: FC<{ view: StatusView }> = ({ view }) => {
  if (view.problemCount === 0) return <></>
  return (
    <details id="problems">
      <summary>
        {view.problemCount} selected apps are not scraped{view.problemCount > view.problems.length ? ` (the first ${view.problems.length} listed)` : ''}
      </summary>
      <ul>
        {view.problems.map((p) => (
          <li>
            {p.where}/{p.app}: {p.reason}
          </li>
        ))}
      </ul>
    </details>
  )
}

const Targets: FC<{ rows: StatusRow[]; now: number }> = ({ rows, now }) => (
  <table id="targets">
    <thead>
      <tr>
        <th>Org / team</th>
        <th>Space</th>
        <th>App</th>
        <th>Instance</th>
        <th>Route</th>
        <th>Network</th>
        <th>Last scrape</th>
        <th>Duration</th>
        <th>Error</th>
      </tr>
    </thead>
    <tbody>
      {rows.map((row) => (
        <tr data-target={row.id} data-outcome={row.outcome} data-search={rowText(row).toLowerCase()}>
          <td data-label="Org / team">{row.owner}</td>
          <td data-label="Space">{row.space}</td>
          <td data-label="App" class="app">
            {row.app}
          </td>
          <td data-label="Instance">{row.instance}</td>
          <td data-label="Route" class="route">
            {row.route}
          </td>
          <td data-label="Network">{row.internal ? 'internal' : 'external'}</td>
          <td data-label="Last scrape" class={`outcome ${row.outcome}`}>
            {row.outcome}
            {row.lastScrapeAt === undefined ? '' : ` ${Math.max(0, Math.round((now - row.lastScrapeAt) / 1000))} s ago`}
          </td>
          <td data-label="Duration">{row.durationMs === undefined ? '' : `${Math.round(row.durationMs)} ms`}</td>
          <td data-label="Error" class="error">
            {row.reason ? `${row.reason}: ${row.error ?? ''}` : ''}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
)

const STYLE = `
:root { color-scheme: light dark; --up: #1a7f37; --down: #cf222e; --muted: #6e7781; }
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 auto; padding: 0.75rem; max-width: 100rem; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 0.5rem 1rem; }
h1 { font-size: 1.4rem; margin: 0; } h2 { font-size: 1.05rem; margin: 0 0 0.4rem; }
nav { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.version, footer { color: var(--muted); }
.discovery { border-left: 4px solid var(--up); padding: 0.4rem 0.75rem; margin: 0.75rem 0; }
.discovery.stale, .discovery.pending { border-color: var(--down); }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.15rem 1rem; margin: 0; }
dd { margin: 0; overflow-wrap: anywhere; }
#summary { display: flex; flex-wrap: wrap; gap: 1rem; margin: 0.5rem 0; }
form { display: flex; gap: 0.5rem; align-items: center; margin: 0.5rem 0; }
#filter { flex: 1; font: inherit; padding: 0.4rem; max-width: 40rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid #8884; vertical-align: top; }
td { overflow-wrap: break-word; white-space: pre-wrap; }
td.app, td.route, td.error { overflow-wrap: anywhere; }
.up { color: var(--up); } .down { color: var(--down); } .pending { color: var(--muted); }
.outcome { font-weight: 600; }
@media (max-width: 720px) {
  #targets thead { display: none; }
  #targets, #targets tbody, #targets tr, #targets td { display: block; width: auto; }
  #targets tr { border: 1px solid #8886; border-radius: 6px; margin: 0 0 0.6rem; padding: 0.3rem 0.5rem; }
  #targets tr[hidden] { display: none; }
  #targets td { border: 0; padding: 0.1rem 0; display: grid; grid-template-columns: 6.5rem 1fr; gap: 0.5rem; }
  #targets td::before { content: attr(data-label); color: var(--muted); }
  #groups th, #groups td { padding: 0.2rem 0.3rem; }
}
`

/**
 * Filters as the user types: the rows of this page at once (every word must occur in the row's
 * `data-search`), then, a moment later, the server's answer for the filter over all targets
 * (`?part=sections&q=...`, page 1), swapped in; the filter stays in the address so a reload keeps
 * it. Every few seconds the sections of the current filter and page are fetched again and swapped
 * in (parsed as a separate, inert document: nothing in it runs).
 */
const SCRIPT = `(() => {
  const input = document.getElementById('filter');
  const applyHere = () => {
    const words = input.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    let shown = 0;
    for (const row of document.querySelectorAll('#targets tbody tr')) {
      const hit = words.every((w) => (row.dataset.search || '').includes(w));
      row.hidden = !hit;
      if (hit) shown++;
    }
    return shown;
  };
  const seconds = Number(document.body.dataset.refresh) || 10;
  let timer;
  const load = async () => {
    const failed = document.getElementById('refresh-error');
    try {
      const url = new URL(location.href);
      url.searchParams.set('part', 'sections');
      const res = await fetch(url, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (!res.ok) throw new Error(String(res.status));
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      for (const id of ['discovery', 'summary', 'groups', 'targets']) {
        const fresh = doc.getElementById(id);
        const current = document.getElementById(id);
        if (fresh && current) current.replaceWith(document.adoptNode(fresh));
      }
      applyHere();
      failed.hidden = true;
    } catch {
      failed.hidden = false;
    }
    clearTimeout(timer);
    timer = setTimeout(load, seconds * 1000);
  };
  let typing;
  input.addEventListener('input', () => {
    document.getElementById('shown').textContent = String(applyHere());
    const url = new URL(location.href);
    if (input.value.trim()) url.searchParams.set('q', input.value.trim()); else url.searchParams.delete('q');
    url.searchParams.delete('page');
    history.replaceState(null, '', url);
    clearTimeout(typing);
    typing = setTimeout(load, 250);
  });
  document.getElementById('filter-form').addEventListener('submit', (e) => e.preventDefault());
  timer = setTimeout(load, seconds * 1000);
})();`
