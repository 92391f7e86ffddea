import { fitBlocks } from '../../shared/report/fit-blocks.ts';
import { renderGateSummary } from '../../shared/report/gate-summary.ts';
import { details, statusBadge } from '../../shared/report/markdown.ts';
import type { GateStatus } from '../../shared/result/gate-result.ts';
import type { CardData } from './card-data.ts';
import { bySeverity, type ChangeRow } from './changes.ts';
import { renderModelCardBlocks } from './render-card.ts';
import { baselineNames, renderChangesTable, renderHeadline } from './render-headline.ts';
import { plain, safeChart } from './text.ts';

/** GitHub refuses a comment body of 65,536 characters or more; keep a margin for the marker and notes. */
export const COMMENT_LIMIT = 65_000;

/** The hidden marker that finds this model's comment again on every push. */
export function commentMarker(model: string): string {
  return `<!-- mlgate:model-card:${model} -->`;
}

const STATE = /<!-- mlgate:state verdict=(pass|warn|fail|error) sha=([0-9a-f]*) -->/;

/** What an earlier report said, read back from its hidden state line. */
export function previousState(body: string): { verdict: GateStatus; sha: string } | undefined {
  const match = STATE.exec(body);
  return match ? { verdict: match[1] as GateStatus, sha: match[2]! } : undefined;
}

export interface CommentContext {
  /** The verdict of the comment being replaced, when there is one. */
  previous?: { verdict: GateStatus; sha: string } | undefined;
  /** Where the full card is: the job summary and the artifact of this run. */
  runUrl?: string | undefined;
  artifactName: string;
  /** Add the card's sections in a collapsed block (default true). */
  includeCard?: boolean;
  limit?: number;
}

const isBad = (status: GateStatus) => status === 'fail' || status === 'error';

/** The collapsed table of every figure against the baseline, with how its checks are named for waivers. */
export function renderAllChanges(rows: readonly ChangeRow[]): string | undefined {
  if (rows.length === 0) return undefined;
  const ids = rows.flatMap((row) => (row.id ? [`\`${row.id}\``] : []));
  const example = ids.find((id) => id.includes('vs-baseline')) ?? ids[0];
  return details(
    `All ${rows.length} figure${rows.length === 1 ? '' : 's'} against the baseline or a limit`,
    `${renderChangesTable([...rows].sort(bySeverity))}${example ? `\n\nEach row is one check; a waiver names its id, e.g. ${example} (segment.group.metric.vs-baseline). Every id is in the gate's result file.` : ''}`,
  );
}

/** Links to where the evidence is: the workflow run and its artifact, or the artifact's name alone. */
export function evidenceLine(data: CardData, artifactName: string): string {
  const { model, commit } = data.evidence;
  const baseline = baselineNames(data);
  const where = data.runUrl
    ? `[workflow run](${data.runUrl}) · [evidence: \`${artifactName}\` artifact](${data.runUrl}#artifacts)`
    : `evidence: \`evidence.json\` in the \`${artifactName}\` artifact`;
  return [
    baseline ? `**Baseline:** ${baseline}.` : '**Baseline:** none configured.',
    `**Candidate:** \`${plain(model.path, 200)}\` sha256 \`${model.sha256.slice(0, 12)}\`${commit ? ` at \`${commit.slice(0, 7)}\`` : ''} · ${where}`,
  ].join('<br>\n');
}

/**
 * The sticky pull-request comment: the verdict, its reasons and one line per gate; then the baseline vs
 * candidate table; then each gate's details and the card, collapsed, cut to whole blocks below GitHub's limit.
 */
export function renderPullRequestComment(data: CardData, context: CommentContext): string {
  const { model, verdict, commit } = data.evidence;
  const headline = renderHeadline({ ...data, runUrl: data.runUrl ?? context.runUrl });
  const [title, ...rest] = headline.verdict.split('\n');
  const head = [
    commentMarker(model.name),
    `<!-- mlgate:state verdict=${verdict} sha=${(commit ?? '').replace(/[^0-9a-f]/g, '')} -->`,
    title!,
  ];
  if (context.previous && isBad(context.previous.verdict) && !isBad(verdict)) {
    head.push(
      '',
      `> [!TIP]\n> All gates pass now${verdict === 'warn' ? ' (with warnings)' : ''}. The previous report${context.previous.sha ? ` (for \`${context.previous.sha.slice(0, 7)}\`)` : ''} had a \`${context.previous.verdict}\`; its details are gone because they no longer apply.`,
    );
  }
  head.push(...rest);
  const blocks = [head.join('\n')];
  const linked = { ...data, runUrl: data.runUrl ?? context.runUrl };
  blocks.push(
    [
      ...(headline.changes ? ['### Baseline vs candidate', '', headline.changes, ''] : []),
      evidenceLine(linked, context.artifactName),
    ].join('\n'),
  );
  const all = renderAllChanges(headline.rows);
  if (all) blocks.push(all);
  for (const { result } of data.results) {
    const safe = {
      ...result,
      summary: plain(result.summary),
      checks: result.checks.map((check) => ({ ...check, message: plain(check.message, 300) })),
      ...(result.charts ? { charts: result.charts.map(safeChart) } : {}),
    };
    blocks.push(
      details(
        `${statusBadge(result.status)} <code>${plain(result.gate)}</code>: details`,
        renderGateSummary(safe, { heading: false }),
        isBad(result.status),
      ),
    );
  }
  if (context.includeCard !== false) {
    // The gates' figures are in the blocks above already; the card adds what people wrote.
    const sections = renderModelCardBlocks(data)
      .slice(1)
      .filter((block) => !/^## (Metrics|Quantitative Analyses)\n/.test(block));
    blocks.push(details('Model card', sections.join('\n\n')));
  }
  const where = context.runUrl
    ? `the [job summary](${context.runUrl}) and the \`${context.artifactName}\` artifact`
    : `the \`${context.artifactName}\` artifact (\`model-card.md\`)`;
  return fitBlocks(
    blocks,
    context.limit ?? COMMENT_LIMIT,
    (leftOut) =>
      `> ${leftOut} section${leftOut === 1 ? ' was' : 's were'} left out to stay under GitHub's 65,536-character limit. The full card is in ${where}.`,
  ).text;
}

/**
 * The model-card step's job summary: the same headline and baseline table as the comment, then the card
 * collapsed; GitHub drops a summary over 1 MiB whole, so the card is cut to whole sections below `limit`.
 */
export function renderJobSummary(data: CardData, artifactName: string, limit: number): string {
  const headline = renderHeadline(data);
  const head = [
    headline.verdict,
    ...(headline.changes ? ['', '### Baseline vs candidate', '', headline.changes] : []),
    '',
    evidenceLine(data, artifactName),
  ].join('\n');
  const [cardHead, ...sections] = renderModelCardBlocks(data);
  // The card's own title, without the headline it repeats: that opens this summary already.
  const card = [cardHead!.split('\n')[0]!, ...sections];
  const room = limit - head.length - 200;
  const fitted = fitBlocks(
    card,
    room,
    (leftOut) =>
      `> ${leftOut} sections of the card were left out of this summary (GitHub drops summaries over 1 MiB); the full card is \`model-card.md\` in the \`${artifactName}\` artifact.`,
  ).text;
  return `${head}\n\n${details('The model card, in full', fitted)}\n`;
}
