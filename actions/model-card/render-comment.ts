import { fitBlocks } from '../../shared/report/fit-blocks.ts';
import { renderGateSummary } from '../../shared/report/gate-summary.ts';
import { details, statusBadge } from '../../shared/report/markdown.ts';
import type { GateStatus } from '../../shared/result/gate-result.ts';
import type { CardData } from './card-data.ts';
import { renderComparisons, renderGateTable, renderModelCardBlocks, verdictLine } from './render-card.ts';
import { plain, safeChart } from './text.ts';

/** GitHub refuses a comment body of 65,536 characters or more; keep a margin for the marker and notes. */
export const COMMENT_LIMIT = 65_000;

/** Rows of the baseline table in the comment, worst first; the card has them all. */
const COMPARISONS_IN_COMMENT = 15;

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

/**
 * The sticky pull-request comment: the verdict and one line per gate first, then each gate's details and
 * the card in collapsed blocks (failing gates open), cut to whole blocks below GitHub's limit.
 */
export function renderPullRequestComment(data: CardData, context: CommentContext): string {
  const { model, verdict, commit } = data.evidence;
  const head = [
    commentMarker(model.name),
    `<!-- mlgate:state verdict=${verdict} sha=${(commit ?? '').replace(/[^0-9a-f]/g, '')} -->`,
    `## ${statusBadge(verdict)} \`${plain(model.name)}\`${model.version ? ` ${plain(model.version)}` : ''}: ${verdictLine(data).replace(/^\S+ \w+: /, '')}`,
  ];
  if (context.previous && isBad(context.previous.verdict) && !isBad(verdict)) {
    head.push(
      '',
      `> [!TIP]\n> All gates pass now${verdict === 'warn' ? ' (with warnings)' : ''}. The previous report${context.previous.sha ? ` (for \`${context.previous.sha.slice(0, 7)}\`)` : ''} had a \`${context.previous.verdict}\`; its details are gone because they no longer apply.`,
    );
  }
  head.push(
    '',
    renderGateTable(data),
    '',
    `Model sha256 \`${model.sha256.slice(0, 12)}\`${commit ? `, commit \`${commit.slice(0, 7)}\`` : ''}. Evidence: \`evidence.json\` in the \`${context.artifactName}\` artifact.`,
  );
  const blocks = [head.join('\n')];
  const comparisons = renderComparisons(data.comparisons, COMPARISONS_IN_COMMENT);
  if (comparisons) blocks.push(details('Changes against the baseline', comparisons, true));
  for (const { result } of data.results) {
    const safe = {
      ...result,
      summary: plain(result.summary),
      checks: result.checks.map((check) => ({ ...check, message: plain(check.message, 300) })),
      ...(result.charts ? { charts: result.charts.map(safeChart) } : {}),
    };
    blocks.push(
      details(
        `${statusBadge(result.status)} <code>${plain(result.gate)}</code>`,
        renderGateSummary(safe),
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
