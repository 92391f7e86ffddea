// biome-ignore-all lint/suspicious/noTemplateCurlyInString: DVC's own templates are written ${...}.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { dvcDirMd5, dvcFileMd5 } from './dvc-lock.ts';
import { orderStages, readDvcPipeline } from './dvc-pipeline.ts';
import { runRerunGate, TOY_TRAIN, toyMetrics, writeFiles } from './test-project.ts';

const PARAMS = ['train:', '  seed: 7', '  lr: 0.1', 'prepare:', '  rows: 3', 'sweep: [0.2, 0.3]', ''].join(
  '\n',
);

// `train` is written before `prepare`, whose output it reads: the rerun must still run prepare first.
const DVC_YAML = [
  'vars:',
  '  - extra.yaml',
  'stages:',
  '  train:',
  '    cmd: node train.mjs --seed ${train.seed} --lr ${train.lr} --data data/prepared.txt --out metrics/train.json --model-out models/model.bin',
  '    deps: [train.mjs, data/prepared.txt]',
  '    params: [train.seed, train.lr]',
  '    outs: [models/model.bin]',
  '    metrics:',
  '      - metrics/train.json:',
  '          cache: false',
  '  prepare:',
  '    cmd:',
  '      - mkdir -p data',
  '      - echo rows ${prepare.rows} ${label} > data/prepared.txt',
  '    params: [prepare]',
  '    outs: [data/prepared.txt]',
  '  sweep:',
  '    foreach: ${sweep}',
  '    do:',
  '      cmd: node train.mjs --seed 1 --lr ${item} --out metrics/sweep-${item}.json',
  '      deps: [train.mjs]',
  '      metrics:',
  '        - metrics/sweep-${item}.json',
  '  grid:',
  '    matrix:',
  '      seed: [1, 2]',
  '      lr: [0.5]',
  '    cmd: node train.mjs --seed ${item.seed} --lr ${item.lr} --out metrics/grid-${item.seed}.json',
  '    metrics:',
  '      - metrics/grid-${item.seed}.json',
  '',
].join('\n');

async function dvcProject(): Promise<string> {
  const dir = await tempDir();
  const json = (seed: number, lr: number) => JSON.stringify(toyMetrics(seed, lr));
  await writeFiles(dir, {
    'train.mjs': TOY_TRAIN,
    'params.yaml': PARAMS,
    'extra.yaml': 'label: demo\n',
    'dvc.yaml': DVC_YAML,
    'metrics/train.json': json(7, 0.1),
    'metrics/sweep-0.2.json': json(1, 0.2),
    'metrics/sweep-0.3.json': json(1, 0.3),
    'metrics/grid-1.json': json(1, 0.5),
    'metrics/grid-2.json': json(2, 0.5),
    'mlgate.yml': 'version: 1\ngates:\n  rerun-experiments:\n    dvc: dvc.yaml\n',
  });
  return dir;
}

describe('DVC pipelines', () => {
  it('resolves ${...} from params.yaml and vars, expands foreach and matrix, and orders stages by their data', async () => {
    const dir = await dvcProject();
    const pipeline = await readDvcPipeline(join(dir, 'dvc.yaml'), 'dvc.yaml');
    const byName = Object.fromEntries(pipeline.stages.map((stage) => [stage.name, stage]));
    expect(Object.keys(byName)).toEqual([
      'train',
      'prepare',
      'sweep@0.2',
      'sweep@0.3',
      'grid@1-0.5',
      'grid@2-0.5',
    ]);
    expect(byName.train!.commands).toEqual([
      'node train.mjs --seed 7 --lr 0.1 --data data/prepared.txt --out metrics/train.json --model-out models/model.bin',
    ]);
    expect(byName.prepare!.commands).toEqual(['mkdir -p data', 'echo rows 3 demo > data/prepared.txt']);
    expect(byName['sweep@0.3']!.metrics).toEqual([join(dir, 'metrics/sweep-0.3.json')]);
    expect(byName['grid@2-0.5']!.commands).toEqual([
      'node train.mjs --seed 2 --lr 0.5 --out metrics/grid-2.json',
    ]);
    expect(orderStages(pipeline).map((stage) => stage.name)).toEqual([
      'prepare',
      'train',
      'sweep@0.2',
      'sweep@0.3',
      'grid@1-0.5',
      'grid@2-0.5',
    ]);
  });

  it('reruns the pipeline in dependency order and reproduces every stage with metrics', async () => {
    const dir = await dvcProject();
    const { result, exitCode, log } = await runRerunGate(dir);
    expect(result.summary).toBe('5 experiments rerun: 10 of 10 metrics reproduced');
    expect(exitCode).toBe(0);
    expect(result.checks.map((check) => check.id)).toContain('dvc:sweep@0_2.accuracy');
    expect(result.checks.map((check) => check.id)).toContain('dvc:grid@2-0_5.log_loss');
    expect(log.indexOf('dvc.yaml: prepare[1]')).toBeLessThan(log.indexOf('dvc.yaml: train:'));
  });

  it('reruns only the selected stage and the stages it needs', async () => {
    const dir = await dvcProject();
    const { result, log } = await runRerunGate(dir, { experiment: ['dvc:train'] });
    expect(result.status).toBe('pass');
    expect(result.checks.map((check) => check.id)).toEqual(['dvc:train.accuracy', 'dvc:train.log_loss']);
    expect(log).toContain('dvc.yaml: prepare[0]');
    expect(log).not.toContain('sweep');
  });

  it('reports outs whose md5 moved and a stale lock, for information only', async () => {
    const dir = await dvcProject();
    const prepared = 'rows 3 demo\n';
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    await writeFiles(dir, {
      'dvc.lock': [
        "schema: '2.0'",
        'stages:',
        '  prepare:',
        '    cmd:',
        '      - mkdir -p data',
        '      - echo rows 3 demo > data/prepared.txt',
        '    params: { params.yaml: { prepare.rows: 3 } }',
        '    outs:',
        `      - { path: data/prepared.txt, hash: md5, md5: ${md5(prepared)}, size: 12 }`,
        '  train:',
        '    cmd: node train.mjs --seed 7 --lr 0.1 --data data/prepared.txt --out metrics/train.json --model-out models/model.bin',
        '    params: { params.yaml: { train.seed: 7, train.lr: 0.2 } }',
        '    outs:',
        `      - { path: models/model.bin, hash: md5, md5: ${md5('model 6')}, size: 7 }`,
        '',
      ].join('\n'),
    });
    const { result, exitCode } = await runRerunGate(dir, { experiment: ['dvc:train'] });
    expect(result.summary).toBe('1 experiment rerun: 2 of 2 metrics reproduced');
    expect(exitCode).toBe(0);
    expect(result.tables?.[1]).toEqual({
      title: 'DVC outs whose md5 differs from dvc.lock after the rerun (informational)',
      columns: ['stage', 'out', 'dvc.lock md5', 'rerun md5'],
      rows: [['train', 'models/model.bin', md5('model 6'), md5('model 7')]],
    });
    const train = (result.details!.experiments as Record<string, unknown>[])[0]!;
    expect(train).toMatchObject({ lock: 'stale', changedParams: ['params.yaml:train.lr'] });
  });

  it('hashes like DVC: plain md5 with hash: md5, CRLF-normalised text for DVC 2, .dir listings', async () => {
    const dir = await tempDir();
    await writeFiles(dir, { 'a.txt': 'x\r\ny\r\n', 'd/b.txt': 'b\n', 'd/c/e.txt': 'e\n' });
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    expect(await dvcFileMd5(join(dir, 'a.txt'), false)).toBe(md5('x\r\ny\r\n'));
    expect(await dvcFileMd5(join(dir, 'a.txt'), true)).toBe(md5('x\ny\n'));
    const listing = `[{"md5": "${md5('b\n')}", "relpath": "b.txt"}, {"md5": "${md5('e\n')}", "relpath": "c/e.txt"}]`;
    expect(await dvcDirMd5(join(dir, 'd'), false)).toEqual({
      md5: `${md5(listing)}.dir`,
      nfiles: 2,
      size: 4,
    });
  });

  it('exits 2 naming dvc.yaml and the line of a mistake', async () => {
    const dir = await dvcProject();
    await writeFiles(dir, {
      'dvc.yaml': 'stages:\n  train:\n    cmd: node train.mjs\n    outz: [model.bin]\n',
    });
    expect((await runRerunGate(dir)).result.summary).toMatch(
      /dvc\.yaml:4:5 stages\.train\.outz: unknown key; did you mean "outs"\?$/,
    );
    await writeFiles(dir, {
      'dvc.yaml': 'stages:\n  train:\n    cmd: node train.mjs --lr ${train.rate}\n    metrics: [m.json]\n',
    });
    const { result, exitCode } = await runRerunGate(dir);
    expect(exitCode).toBe(2);
    expect(result.summary).toMatch(
      /dvc\.yaml:2:3 stages\.train: \$\{train\.rate\} is not defined \(no "rate"\)$/,
    );
    await writeFiles(dir, {
      'dvc.yaml':
        'stages:\n  a:\n    cmd: x\n    deps: [b.txt]\n    outs: [a.txt]\n  b:\n    cmd: y\n    deps: [a.txt]\n    outs: [b.txt]\n    metrics: [m.json]\n',
      'm.json': '{"x": 1}',
    });
    expect((await runRerunGate(dir)).result.summary).toMatch(/dvc\.yaml:2:3 stages form a cycle: a, b$/);
  });
});
