import { describe, expect, it } from 'vitest';
import { InputError } from '../../shared/errors.ts';
import { tempDir } from '../../shared/testing/temp-dir.ts';
import { parseTrackingUri, trackingStore } from './mlflow-tracking-uri.ts';
import { writeFiles } from './test-project.ts';

const ORIGIN = 'gates.rerun-experiments.mlflow.tracking-uri';

describe('MLflow tracking URIs', () => {
  it('reads SQLAlchemy sqlite URLs: three slashes, then a relative or absolute path', () => {
    expect(parseTrackingUri('sqlite:///mlflow.db', ORIGIN)).toEqual({ kind: 'sqlite', path: 'mlflow.db' });
    expect(parseTrackingUri('sqlite:///tracking/runs.db', ORIGIN)).toEqual({
      kind: 'sqlite',
      path: 'tracking/runs.db',
    });
    expect(parseTrackingUri('sqlite:////srv/mlflow/mlflow.db?mode=ro', ORIGIN)).toEqual({
      kind: 'sqlite',
      path: '/srv/mlflow/mlflow.db',
    });
  });

  it('reads file stores (a path or a file: URI) and tracking servers', () => {
    expect(parseTrackingUri('mlruns', ORIGIN)).toEqual({ kind: 'file', path: 'mlruns' });
    expect(parseTrackingUri('file:///srv/mlruns', ORIGIN)).toEqual({ kind: 'file', path: '/srv/mlruns' });
    expect(parseTrackingUri('file:./mlruns', ORIGIN)).toEqual({ kind: 'file', path: './mlruns' });
    expect(parseTrackingUri('https://mlflow.example.com', ORIGIN)).toEqual({
      kind: 'rest',
      uri: 'https://mlflow.example.com',
    });
  });

  it('refuses an in-memory database and the stores it cannot read, naming where the URI came from', () => {
    expect(() => parseTrackingUri('sqlite://', 'MLFLOW_TRACKING_URI')).toThrow(
      new InputError(
        'MLFLOW_TRACKING_URI: "sqlite://" names no database file; write sqlite:///relative/path.db or sqlite:////absolute/path.db',
      ),
    );
    expect(() => parseTrackingUri('postgresql://mlflow@db/mlflow', ORIGIN)).toThrow(
      new InputError(
        `${ORIGIN}: "postgresql://mlflow@db/mlflow" is a postgresql store; mlgate reads MLflow file stores, sqlite:/// databases and http(s) tracking servers`,
      ),
    );
    expect(() => parseTrackingUri('databricks', ORIGIN)).toThrow(/"databricks" is a databricks store;/);
  });

  it('takes the setting, else MLFLOW_TRACKING_URI, else MLflow 3.7 default: mlruns/ with experiments, else mlflow.db', async () => {
    const dir = await tempDir();
    const env = { MLFLOW_TRACKING_URI: 'sqlite:///from-env.db' };
    expect(await trackingStore('sqlite:///set.db', env, dir)).toEqual({ kind: 'sqlite', path: 'set.db' });
    expect(await trackingStore(undefined, env, dir)).toEqual({ kind: 'sqlite', path: 'from-env.db' });
    expect(await trackingStore(undefined, {}, dir)).toEqual({ kind: 'sqlite', path: 'mlflow.db' });
    // An mlruns/ without a numbered experiment holding meta.yaml is not a store MLflow falls back to.
    await writeFiles(dir, { 'mlruns/.trash/README': 'x', 'mlruns/models/m/meta.yaml': 'name: m\n' });
    expect(await trackingStore(undefined, {}, dir)).toEqual({ kind: 'sqlite', path: 'mlflow.db' });
    await writeFiles(dir, { 'mlruns/0/meta.yaml': "experiment_id: '0'\nname: Default\n" });
    expect(await trackingStore(undefined, {}, dir)).toEqual({ kind: 'file', path: 'mlruns' });
  });
});
