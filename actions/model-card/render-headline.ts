import { checkLabel } from '../../shared/report/check-label.ts';
import { table } from '../../shared/report/markdown.ts';
import type { GateResult, GateStatus } from '../../shared/result/gate-result.ts';
import type { CardData } from './card-data.ts';
import { type ChangeRow, changeRows, keyRows, outcomeOf, outcomeWords, valueRows } from './changes.ts';
import { plain } from './text.ts';

/** The verdict in the words a reviewer acts on. */
export const VERDICT_WORDS: Record<GateStatus, string> = {
  fail: '❌ Blocks the merge',
  error: '⛔ Blocks the merge: a gate could not run',
  warn: '⚠️ Mergeable, with warnings to read',
  pass: '✅ Passes',
};

/** Findings named in one reason line before the rest are counted. */
const NAMED_PER_REASON = 3;

interface Finding {
  gate: string;
  brief: string;
  outcome: ChangeRow['outcome'];
  until?: string | undefined;
  reason?: string | undefined;
  settle?: string | undefined;
}

function findings(results: readonly GateResult[], rows: readonly ChangeRow[]): Finding[] {
  return results.flatMap((result) =>
    result.checks
      .filter((check) => check.status !== 'pass' && check.status !== 'skip')
      .map((check) => {
        const row = rows.find((candidate) => candidate.gate === result.gate && candidate.id === check.id);
        return {
          gate: result.gate,
          brief: row?.brief ?? `${plain(checkLabel(check), 120)}: ${plain(check.message, 140)}`,
          outcome: row?.outcome ?? outcomeOf(check),
          until: check.waived?.until,
          reason: check.waived?.reason,
          settle: row?.settle,
        };
      }),
  );
}

function named(items: readonly Finding[], describe: (item: Finding) => string): string {
  const shown = items.slice(0, NAMED_PER_REASON).map(describe).join('; ');
  const more = items.length - NAMED_PER_REASON;
  return more > 0 ? `${shown}; and ${more} more (below)` : shown;
}

/** The reasons for the verdict, one line each: what exceeds, what is waived until when, what is unsettled. */
export function verdictReasons(data: CardData, rows: readonly ChangeRow[]): string[] {
  const results = data.results.map(({ result }) => result);
  const found = findings(results, rows);
  const reasons: string[] = [];
  const broken = results.filter((result) => result.status === 'error');
  if (broken.length > 0) {
    reasons.push(
      `**Could not run:** ${broken.map((result) => `${result.gate} (${plain(result.summary, 160)})`).join('; ')}`,
    );
  }
  const exceeded = found.filter((item) => item.outcome === 'exceeded');
  if (exceeded.length > 0) {
    reasons.push(`**Exceeds its limit (${exceeded.length}):** ${named(exceeded, (item) => item.brief)}`);
  }
  const waived = found.filter((item) => item.outcome === 'waived');
  for (const until of [...new Set(waived.map((item) => item.until))]) {
    const same = waived.filter((item) => item.until === until);
    const why = same[0]?.reason ? ` Waiver: “${plain(same[0].reason, 200)}”` : '';
    reasons.push(
      `**Exceeds, waived until ${until} (${same.length}):** ${named(same, (item) => item.brief)}.${why}`,
    );
  }
  const unsettled = found.filter((item) => item.outcome === 'inconclusive');
  if (unsettled.length > 0) {
    reasons.push(
      `**Inconclusive, the interval straddles the limit (${unsettled.length}):** ${named(unsettled, (item) => `${item.brief}${item.settle ? `: ${item.settle}` : ''}`)}`,
    );
  }
  if (reasons.length === 0) {
    const judged = results.reduce(
      (sum, result) => sum + result.checks.filter((c) => c.status === 'pass').length,
      0,
    );
    reasons.push(`All ${judged} judged checks are within their limits.`);
  }
  return reasons;
}

/** One line per gate: its verdict and its checks by outcome, counted the same way everywhere. */
export function renderGateTable(data: CardData): string {
  const rows = data.results.map(({ result }) => {
    const counts = new Map<string, number>();
    for (const check of result.checks) {
      const outcome = outcomeOf(check);
      counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    }
    const judged = result.checks.filter((check) => check.status !== 'skip').length;
    const within = counts.get('within') ?? 0;
    const extra = (['exceeded', 'waived', 'inconclusive', 'not judged'] as const)
      .filter((outcome) => counts.get(outcome))
      .map((outcome) => `${counts.get(outcome)} ${outcome === 'waived' ? 'waived' : outcome}`);
    return [
      `${VERDICT_WORDS[result.status].split(' ')[0]} ${result.gate}`,
      `${within} of ${judged} within${extra.length > 0 ? `; ${extra.join(', ')}` : ''}`,
    ];
  });
  return table(['gate', 'checks'], rows);
}

const LEGEND =
  '↑ higher is better, ↓ lower is better; pp: percentage points; [ ]: 95% interval; “no change”: the interval covers no change.';

/**
 * The baseline vs candidate table: `figure | baseline | candidate | change | limit | verdict`. `brief` drops
 * the intervals (second lines), for the first screen: its verdicts already say what the intervals decided.
 */
export function renderChangesTable(rows: readonly ChangeRow[], brief = false): string {
  const cell = (text: string) => (brief ? text.split('<br>')[0]! : text);
  return `${table(
    ['figure', 'baseline', 'candidate', 'change', 'limit', 'verdict'],
    rows.map((row) => [
      `${row.label}${row.better ? ` ${row.better === 'higher' ? '↑' : '↓'}` : ''}`,
      cell(row.baseline ?? '—'),
      cell(row.candidate ?? '—'),
      cell(row.change),
      row.limit,
      outcomeWords(row),
    ]),
  ).replace(
    /&lt;br&gt;/g,
    '<br>',
  )}\n\n<sub>${brief ? LEGEND.replace('[ ]: 95% interval; ', '') : LEGEND}${brief ? ' Intervals: in the full table.' : ''}</sub>`;
}

/** Which baseline each gate compared against, named by path (and commit or tag when the gate recorded one). */
export function baselineNames(data: CardData): string | undefined {
  const named = new Map<string, string[]>();
  for (const { result } of data.results) {
    const baseline = result.details?.baseline;
    if (baseline === null || typeof baseline !== 'object') continue;
    const fields = baseline as Record<string, unknown>;
    const path = [fields.description, fields.path].find((value) => typeof value === 'string') as
      | string
      | undefined;
    if (!path) continue;
    const at = [fields.tag, fields.commit].find((value) => typeof value === 'string') as string | undefined;
    const name = `\`${plain(path, 200)}\`${at ? ` at \`${plain(at, 40).slice(0, 12)}\`` : ''}`;
    named.set(name, [...(named.get(name) ?? []), result.gate]);
  }
  if (named.size === 0) return undefined;
  return [...named].map(([name, gates]) => `${name} (${gates.join(', ')})`).join('; ');
}

export interface HeadlineBlocks {
  /** `## verdict: model version`, the reasons, the gate table. */
  verdict: string;
  /** The key baseline vs candidate table, or undefined when no gate compared against a baseline. */
  changes: string | undefined;
  /** Every change row, for the collapsed detail. */
  rows: ChangeRow[];
}

/** The top of the comment, the job summary and the card: the same words in all three. */
export function renderHeadline(data: CardData, title: 'heading' | 'line' = 'heading'): HeadlineBlocks {
  const { model, verdict } = data.evidence;
  const rows = [...valueRows(data.comparisons), ...changeRows(data.results.map(({ result }) => result))];
  const subject = `\`${plain(model.name, 100)}\`${model.version ? ` ${plain(model.version, 40)}` : ''}`;
  const first =
    title === 'heading'
      ? `## ${VERDICT_WORDS[verdict]}: ${subject}`
      : `**Verdict: ${VERDICT_WORDS[verdict]}**`;
  const reasons = verdictReasons(data, rows).map((reason) => `- ${reason}`);
  const key = keyRows(rows);
  return {
    verdict: [first, '', ...reasons, '', renderGateTable(data)].join('\n'),
    changes: key.length > 0 ? renderChangesTable(key, true) : undefined,
    rows,
  };
}
