import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { formatLocation, InputError } from '../../shared/errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../shared/fs/atomic-write.ts';
import { defineGate } from '../../shared/gate.ts';
import { readModelFile } from '../../shared/onnx/model-file.ts';
import { metadataOf, type OnnxMetadata } from '../../shared/onnx/read-model-metadata.ts';
import type { Check } from '../../shared/result/gate-result.ts';
import { buildEvidence } from './build-evidence.ts';
import type { CardData } from './card-data.ts';
import { readCardSource } from './card-source.ts';
import { extractComparisons } from './comparisons.ts';
import { datasetDigest } from './dataset-digest.ts';
import { judgedBytesCheck } from './judged-bytes.ts';
import { publishReport } from './publish-report.ts';
import { OWN_OUTPUT_FILES, orderResults, readResults } from './read-results.ts';
import { attachToRelease, type ReleaseAssetsMode, releaseTarget } from './release-assets.ts';
import { missingSourceFields, renderModelCardBlocks } from './render-card.ts';
import { renderJobSummary } from './render-comment.ts';
import { renderHuggingFaceCard } from './render-model-index.ts';
import { renderToolkitCard } from './render-toolkit.ts';
import { reportFrom } from './report-from.ts';
import { ModelCardSettings } from './settings.ts';
import { storeArtifact } from './store-artifact.ts';

/** Input and output names, shared by the code, action.yml, the tests and the docs. */
export const INPUTS = {
  results: 'results',
  artifactPattern: 'artifact-pattern',
  card: 'card',
  comment: 'comment',
  statuses: 'statuses',
  pullRequest: 'pull-request',
  sha: 'sha',
  reportFrom: 'report-from',
  releaseAssets: 'release-assets',
  releaseTag: 'release-tag',
} as const;
export const OUTPUTS = {
  verdict: 'verdict',
  card: 'card',
  evidence: 'evidence',
  commentUrl: 'comment-url',
} as const;

/** The order `mlgate run` runs the gates in, which is also the order people read them. */
const GATE_ORDER = ['validate-data', 'rerun-experiments', 'benchmark', 'fairness', 'promote'];
/** Where downloaded artifacts go, under `--out`. */
const DOWNLOAD_DIR = 'downloaded-results';
/** Characters of the card in the job summary; GitHub drops a summary over 1 MiB whole. */
const SUMMARY_CARD_LIMIT = 300_000;

const bool = z.stringbool({ truthy: ['true', 'True', 'TRUE'], falsy: ['false', 'False', 'FALSE'] });
const Options = z.object({
  [INPUTS.results]: z.string().min(1).optional(),
  [INPUTS.artifactPattern]: z.string().min(1).optional(),
  [INPUTS.card]: z.string().min(1).optional(),
  [INPUTS.comment]: bool.optional(),
  [INPUTS.statuses]: bool.optional(),
  [INPUTS.pullRequest]: z
    .string()
    .regex(/^[1-9]\d*$/, { error: 'expected a pull request number' })
    .transform(Number)
    .optional(),
  [INPUTS.sha]: z
    .string()
    .regex(/^[0-9a-f]{7,64}$/, { error: 'expected a commit SHA' })
    .optional(),
  [INPUTS.reportFrom]: z.string().min(1).optional(),
  [INPUTS.releaseAssets]: z
    .enum(['auto', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE'], {
      error: 'expected auto, true or false',
    })
    .transform((value): ReleaseAssetsMode => (value === 'auto' ? 'auto' : value.toLowerCase() === 'true'))
    .default('auto'),
  [INPUTS.releaseTag]: z.string().min(1).optional(),
});

/**
 * The model's bytes and metadata through the loader every gate uses, so a Git LFS pointer, DVC data not
 * pulled, an empty or truncated file each get their one line here too, with the config line appended.
 */
async function readModel(
  path: string,
  display: string,
  where: string,
): Promise<{ bytes: Uint8Array; onnx: OnnxMetadata }> {
  try {
    const file = await readModelFile(path, display);
    // The metadata is decoded from the very bytes that are hashed, so the evidence describes one file.
    return { bytes: file.bytes, onnx: metadataOf(file.model) };
  } catch (error) {
    if (!(error instanceof InputError) || !error.location) throw error;
    const prefix = `${formatLocation(error.location)} `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new InputError(`${message} (model.path at ${where})`, error.location);
  }
}

export const modelCardGate = defineGate({
  name: 'model-card',
  description: 'gather the gates’ results into a model card, an evidence bundle and one pull-request report',
  settings: ModelCardSettings,
  inputs: {
    [INPUTS.results]: {
      description: 'folder of gate results to read (default: the --out folder)',
      valueName: 'DIR',
    },
    [INPUTS.artifactPattern]: {
      description: 'download workflow artifacts matching this pattern and read their results',
      valueName: 'PATTERN',
    },
    [INPUTS.card]: {
      description: 'card source (YAML or Markdown front matter); overrides gates.model-card.card',
      valueName: 'FILE',
    },
    [INPUTS.comment]: { description: 'post the sticky pull-request comment (true/false)', valueName: 'BOOL' },
    [INPUTS.statuses]: { description: 'set a commit status per gate (true/false)', valueName: 'BOOL' },
    [INPUTS.pullRequest]: {
      description: 'pull request to comment on (default: the event’s)',
      valueName: 'NUMBER',
    },
    [INPUTS.sha]: { description: 'commit the report is about (default: the event’s head)', valueName: 'SHA' },
    [INPUTS.reportFrom]: {
      description:
        'only post the pull-request comment from a folder another (untrusted) run uploaded: the workflow_run half of the fork pattern',
      valueName: 'DIR',
    },
    [INPUTS.releaseAssets]: {
      description:
        'attach the card, the evidence and the gate results to the GitHub release: auto (on release events), true or false',
      valueName: 'MODE',
    },
    [INPUTS.releaseTag]: {
      description: 'attach to the release of this tag instead of the event’s',
      valueName: 'TAG',
    },
  },
  options: Options,
  needsModel: true,
  async runTool({ options, config, runtime }) {
    const from = options[INPUTS.reportFrom];
    if (!from) return undefined;
    return reportFrom(runtime, resolve(from), {
      modelName: config.config.model!.name,
      gateOrder: GATE_ORDER,
      pullRequest: options[INPUTS.pullRequest],
      sha: options[INPUTS.sha],
    });
  },
  async run({ settings, options, config, runtime, out, now }) {
    // Before any work, so that asking for release assets where there is no release fails first.
    const release = releaseTarget(options[INPUTS.releaseAssets], options[INPUTS.releaseTag], runtime.context);
    const model = config.config.model!;
    const modelDisplay = config.display(model.path);
    const files = {
      evidence: join(out, OWN_OUTPUT_FILES.evidence),
      card: join(out, OWN_OUTPUT_FILES.card),
      toolkit: join(out, OWN_OUTPUT_FILES.toolkit),
      huggingFace: join(out, OWN_OUTPUT_FILES.huggingFace),
      comment: join(out, OWN_OUTPUT_FILES.comment),
    };
    // An earlier run's bundle must not outlive a run that refuses (or fails) to write a new one: promote
    // would take it for current.
    await Promise.all(Object.values(files).map((file) => rm(file, { force: true })));
    const { bytes, onnx } = await readModel(
      config.resolve(model.path),
      modelDisplay,
      formatLocation(config.locate(['model', 'path'])),
    );

    const folders = [{ dir: options.results ? resolve(options.results) : out, recursive: false }];
    const pattern = options['artifact-pattern'] ?? settings['artifact-pattern'];
    if (pattern) {
      const downloaded = await runtime.artifacts.download(pattern, join(out, DOWNLOAD_DIR));
      runtime.log.info(`Downloaded ${downloaded.length} artifacts matching ${pattern}.`);
      folders.push(...downloaded.map((dir) => ({ dir, recursive: true })));
    }
    const results = orderResults(await readResults(folders), GATE_ORDER);
    if (results.length === 0) {
      throw new InputError(
        `no gate results to report on in ${folders.map((folder) => config.display(folder.dir)).join(', ')}: run the gates first${pattern ? '' : ', or set artifact-pattern'}`,
      );
    }

    const modelSha256 = createHash('sha256').update(bytes).digest('hex');
    const judged = judgedBytesCheck(results, { display: modelDisplay, sha256: modelSha256 });
    if (judged.status === 'fail') return { summary: judged.message, checks: [judged] };

    const cardPath = options.card
      ? resolve(options.card)
      : settings.card
        ? config.resolve(settings.card)
        : undefined;
    const source = cardPath ? await readCardSource(cardPath, config.display(cardPath)) : undefined;
    // The card tells people where to write missing sections in the path they wrote themselves.
    const sourceFile = options.card ?? settings.card;

    const datasets = [];
    for (const [name, dataset] of Object.entries(config.config.datasets)) {
      const path = config.resolve(dataset.path);
      datasets.push({ name, path: dataset.path, sha256: await datasetDigest(path, config.display(path)) });
    }
    const commit = options.sha ?? runtime.context.sha;
    const evidence = buildEvidence({
      model: { name: model.name, version: model.version, path: model.path, sha256: modelSha256, bytes, onnx },
      commit,
      datasets,
      results,
      dir: out,
      createdAt: now(),
    });
    const data: CardData = {
      evidence,
      results,
      source,
      sourceFile,
      comparisons: results.flatMap(({ result }) => extractComparisons(result)),
      modelMetadata: onnx.metadata,
      runUrl: runtime.context.runUrl,
    };

    await writeJsonAtomic(files.evidence, evidence);
    const blocks = renderModelCardBlocks(data);
    await writeFileAtomic(files.card, `${blocks.join('\n\n')}\n`);
    await writeJsonAtomic(files.toolkit, renderToolkitCard(data));
    await writeFileAtomic(files.huggingFace, renderHuggingFaceCard(data));

    const artifactName = `model-card-${model.name}`;
    await runtime.appendSummary(renderJobSummary(data, artifactName, SUMMARY_CARD_LIMIT));
    const published = await publishReport(runtime, data, {
      comment: options.comment ?? settings.comment,
      statuses: options.statuses ?? settings.statuses,
      pullRequest: options['pull-request'],
      sha: commit,
      artifactName,
    });
    await writeFileAtomic(files.comment, `${published.commentBody}\n`);
    const stored = await storeArtifact(
      runtime,
      artifactName,
      // Results read from outside --out (the `results` input) are the user's to keep; ours are all under it.
      [
        ...Object.values(files),
        ...results.map((r) => resolve(r.file)).filter((file) => file.startsWith(`${out}${sep}`)),
      ],
      out,
    );

    const attachment = release
      ? await attachToRelease(runtime, release, [
          files.evidence,
          files.card,
          ...results.map((r) => resolve(r.file)),
        ])
      : undefined;

    runtime.setOutput(OUTPUTS.verdict, evidence.verdict);
    runtime.setOutput(OUTPUTS.card, files.card);
    runtime.setOutput(OUTPUTS.evidence, files.evidence);
    if (published.commentUrl) runtime.setOutput(OUTPUTS.commentUrl, published.commentUrl);

    const checks: Check[] = results.map(({ result, file }) => ({
      id: `gates.${result.gate}`,
      // A gate that could not run fails the card; `error` is kept for model-card's own bad input.
      status: result.status === 'error' ? 'fail' : result.status,
      message: `${result.gate}: ${result.summary}`,
      observed: result.status,
      file,
    }));
    checks.push(judged);
    const absent = missingSourceFields(source);
    checks.push(
      absent.length === 0
        ? { id: 'card.sections', status: 'pass', message: 'every section people write is present' }
        : {
            id: 'card.sections',
            status: 'warn',
            message: `sections to write: ${absent.join(', ')}`,
            observed: absent,
            ...(settings.card ? { location: config.locate(['gates', 'model-card', 'card']) } : {}),
          },
    );
    checks.push(...published.checks);
    if (stored) checks.push(stored);
    if (attachment) checks.push(attachment.check);
    const attached = attachment?.release
      ? `; ${attachment.attached.length} files attached to release ${attachment.release.tagName}`
      : '';
    return {
      summary: `verdict ${evidence.verdict} over ${results.length} gate${results.length === 1 ? '' : 's'}; card, evidence and Model Card Toolkit JSON written${attached}`,
      checks,
      metrics: { gates: results.length },
      ...(attachment?.table ? { tables: [attachment.table] } : {}),
      details: {
        verdict: evidence.verdict,
        evidence: files.evidence,
        card: files.card,
        toolkit: files.toolkit,
        huggingFace: files.huggingFace,
        ...(published.commentUrl ? { commentUrl: published.commentUrl } : {}),
        ...(attachment?.attached.length ? { releaseAssets: attachment.attached } : {}),
      },
    };
  },
});
