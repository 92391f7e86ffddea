import { quoteString } from '../../../shared/data/sql.ts';

// The workload of npm run bench:data and bench:packaging: a generated table, its schema, and the same
// aggregates as one hand-written DuckDB query (the bare-DuckDB reference).

/** The generated table: integers, decimals, categories, text, dates and some nulls. */
export function generator(rows: number, shift = 0): string {
  return `SELECT
    range + 1 AS id,
    18 + (hash(range, 1) % 68)::INTEGER AS age,
    CASE WHEN hash(range, 2) % 50 = 0 THEN NULL
         ELSE round(20000 + (hash(range, 3) % 100000) * (1 + ${shift}) + (hash(range, 4) % 100) / 100.0, 2) END AS income,
    round(1000 + (hash(range, 5) % 50000) + (hash(range, 6) % 100) / 100.0, 2) AS loan_amount,
    300 + (hash(range, 7) % 551)::INTEGER AS credit_score,
    round((hash(range, 8) % 5000) / 100.0, 2) AS employment_years,
    ['north', 'south', 'east', 'west'][1 + (hash(range, 9) % 4)::INTEGER] AS region,
    ['rent', 'own', 'mortgage'][1 + (hash(range, 10) % 3)::INTEGER] AS home_ownership,
    'user' || (hash(range, 11) % 100000)::VARCHAR || '@example.com' AS email,
    DATE '2026-01-01' + (hash(range, 12) % 365)::INTEGER AS signup
  FROM range(${rows})`;
}

export const SCHEMA = `strict: true
rows: { min: 1 }
unique: [[id, signup]]
columns:
  id: { type: integer, nullable: false, unique: true, min: 1 }
  age: { type: integer, nullable: false, min: 18, max: 85 }
  income: { type: number, min: 0, max-null-fraction: 0.05 }
  loan_amount: { type: number, nullable: false, min: 1, max: 1000000 }
  credit_score: { type: integer, nullable: false, min: 300, max: 850 }
  employment_years: { type: number, min: 0, max: 50 }
  region: { type: string, nullable: false, enum: [north, south, east, west], max-length: 16 }
  home_ownership: { type: string, enum: [rent, own, mortgage], min-length: 3 }
  email: { type: string, pattern: '^[^@\\s]+@[^@\\s]+$', max-length: 254 }
  signup: { type: date, nullable: false, min: '2020-01-01' }
checks:
  - { name: young-high-income, fail-when: "age < 18 and income > 1000000" }
`;

/** The same aggregates, written by hand as one query: the bare-DuckDB baseline. */
export function handWrittenQuery(file: string): string {
  return `
  WITH t AS (SELECT * FROM read_csv(${quoteString(file)}, header = true, all_varchar = true))
  SELECT count(*),
    count_if(id IS NULL), count_if(id IS NOT NULL AND TRY_CAST(id AS BIGINT) IS NULL), count_if(TRY_CAST(id AS BIGINT) < 1),
    count(TRY_CAST(id AS BIGINT)) - count(DISTINCT TRY_CAST(id AS BIGINT)),
    count(DISTINCT (TRY_CAST(id AS BIGINT), TRY_CAST(signup AS DATE))),
    count_if(age IS NULL), count_if(age IS NOT NULL AND TRY_CAST(age AS BIGINT) IS NULL),
    count_if(TRY_CAST(age AS BIGINT) NOT BETWEEN 18 AND 85),
    count_if(income IS NULL), count_if(income IS NOT NULL AND TRY_CAST(income AS DOUBLE) IS NULL),
    count_if(TRY_CAST(income AS DOUBLE) < 0),
    count_if(loan_amount IS NULL), count_if(loan_amount IS NOT NULL AND TRY_CAST(loan_amount AS DOUBLE) IS NULL),
    count_if(TRY_CAST(loan_amount AS DOUBLE) NOT BETWEEN 1 AND 1000000),
    count_if(credit_score IS NULL), count_if(credit_score IS NOT NULL AND TRY_CAST(credit_score AS BIGINT) IS NULL),
    count_if(TRY_CAST(credit_score AS BIGINT) NOT BETWEEN 300 AND 850),
    count_if(employment_years IS NOT NULL AND TRY_CAST(employment_years AS DOUBLE) IS NULL),
    count_if(TRY_CAST(employment_years AS DOUBLE) NOT BETWEEN 0 AND 50),
    count_if(region IS NULL), count_if(region NOT IN ('north', 'south', 'east', 'west')), count_if(length(region) > 16),
    count_if(home_ownership NOT IN ('rent', 'own', 'mortgage')), count_if(length(home_ownership) < 3),
    count_if(NOT regexp_full_match(email, '^[^@\\s]+@[^@\\s]+$')), count_if(length(email) > 254),
    count_if(signup IS NULL), count_if(signup IS NOT NULL AND TRY_CAST(signup AS DATE) IS NULL),
    count_if(TRY_CAST(signup AS DATE) < DATE '2020-01-01'),
    count_if(TRY_CAST(age AS BIGINT) < 18 AND TRY_CAST(income AS DOUBLE) > 1000000)
  FROM t`;
}
