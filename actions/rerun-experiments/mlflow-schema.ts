/**
 * The Alembic revisions of MLflow's tracking database (`mlflow/store/db_migrations/versions/` in
 * mlflow/mlflow), oldest first, as the migration files chain them by `revision` and `down_revision`.
 * Every one of them has the columns the SQLite reader selects from `experiments`, `runs`, `params`,
 * `tags` and `latest_metrics`; a database at any other revision is refused rather than half-read.
 */
export const MLFLOW_SCHEMA_REVISIONS = [
  '89d4b8295536', // latest_metrics table (MLflow 1.4)
  '2b4d017a5e9b', // model registry tables
  'cfd24bdc0731', // KILLED run status
  '0a8213491aaa', // drop duplicate KILLED constraint
  '728d730b5ebd', // registered model tags
  '27a6a02d2cf1', // model version tags
  '84291f40a231', // model version run_link
  'a8c4a736bde6', // nullable model version run_id
  '39d1c3be5f05', // is_nan check constraints
  'c48cb773bb87', // is_nan default (MySQL only)
  'bd07f7e963c5', // run_uuid indexes
  '0c779009ac13', // runs.deleted_time
  'cc1f77228345', // param values up to 500 characters
  '97727af70f4d', // experiments.creation_time, last_update_time
  '3500859a5d39', // model aliases (MLflow 2.3; the fixtures' mlflow.db)
  '7f2a7d5fae7d', // datasets, inputs, input_tags
  '2d6e25af4d3e', // longer param values
  'acf3f17fdcc7', // model version storage_location
  '867495a8f9d4', // trace tables
  '5b0e9adcef9c', // cascading trace deletes
  '4465047574b1', // larger dataset schemas (MySQL only)
  'f5a4f2784254', // run tag values up to 8000 characters
  '0584bdc529eb', // cascading dataset deletes
  '400f98739977', // logged model tables (MLflow 3.0)
  '6953534de441', // inputs.step
  'bda7b8c39065', // longer model version tags
  'cbc13b556ace', // V3 trace columns
  '770bee3ae1dd', // assessments
  'a1b2c3d4e5f6', // spans
  'de4033877273', // entity associations
  '1a0cddfcaa16', // webhooks
  '534353b11cbc', // scorers
  '71994744cf8e', // evaluation datasets
  '3da73c924c2f', // evaluation record outputs
  'bf29a5ff90ea', // jobs
  '1bd49d398cd23', // secrets (2025-11-20)
  'b7c8d9e0f1a2', // trace metrics (2025-12-04)
  '5d2d30f0abce', // jobs.job_name (2025-12-16)
] as const;

/** Revisions before `latest_metrics` (MLflow 1.0 to 1.3): `mlflow db upgrade` brings them to a known one. */
export const MLFLOW_SCHEMA_TOO_OLD = [
  '451aebb31d03',
  '90e64c465722',
  '181f10493468',
  'df50e92ffc5e',
  '7ac759974ad8',
] as const;
