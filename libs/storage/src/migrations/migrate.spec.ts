import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { Backend } from '../backends/backend';
import { openPglite } from '../backends/pglite';
import { InvalidStorageConfigError, MigrationChecksumError, MigrationFailedError } from '../errors';
import {
  checksumOf,
  loadMigrations,
  migrate,
  MIGRATIONS_DIR,
  type Migration,
  type SqlExecutor,
} from './migrate';

const m = (name: string, sql: string): Migration => ({ name, sql, checksum: checksumOf(sql) });
const one = m('20260101000000_one', 'CREATE TABLE a (id INT PRIMARY KEY);');
const two = m(
  '20260102000000_two',
  'ALTER TABLE a ADD COLUMN label TEXT; CREATE TABLE b (id INT);',
);

describe('migrate', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await openPglite(undefined);
  }, 180_000);
  afterAll(() => backend?.close());

  /** A fresh, empty schema per test inside the one embedded database. */
  function freshSchema(): SqlExecutor & { query: <Row>(sql: string) => Promise<Row[]> } {
    const schema = `t_${randomUUID().replace(/-/g, '')}`;
    const executor: SqlExecutor = {
      transaction: (fn) =>
        backend.executor.transaction(async (tx) => {
          await tx.exec(
            `CREATE SCHEMA IF NOT EXISTS ${schema}; SET LOCAL search_path TO ${schema}`,
          );
          return fn(tx);
        }),
    };
    return { ...executor, query: (sql) => executor.transaction((tx) => tx.query(sql)) };
  }

  it('applies pending migrations in order and records name, checksum and time', async () => {
    const db = freshSchema();
    expect(await migrate(db, [one, two])).toEqual({
      applied: [one.name, two.name],
      alreadyApplied: [],
    });
    const rows = await db.query<{ name: string; checksum: string; applied_at: Date }>(
      'SELECT name, checksum, applied_at FROM _anvil_migrations ORDER BY name',
    );
    expect(rows).toEqual([
      { name: one.name, checksum: one.checksum, applied_at: expect.any(Date) },
      { name: two.name, checksum: two.checksum, applied_at: expect.any(Date) },
    ]);
    expect(await db.query('SELECT id, label FROM a')).toEqual([]);
  });

  it('is idempotent and later applies only what is new', async () => {
    const db = freshSchema();
    await migrate(db, [one]);
    expect(await migrate(db, [one])).toEqual({ applied: [], alreadyApplied: [one.name] });
    expect(await migrate(db, [one, two])).toEqual({
      applied: [two.name],
      alreadyApplied: [one.name],
    });
  });

  it('refuses, before applying anything, when an applied migration changed', async () => {
    const db = freshSchema();
    await migrate(db, [one]);
    const edited = m(one.name, `${one.sql}\nCREATE TABLE sneaky (id INT);`);
    const run = migrate(db, [edited, two]);
    await expect(run).rejects.toBeInstanceOf(MigrationChecksumError);
    await expect(migrate(db, [edited, two])).rejects.toMatchObject({
      name: 'MigrationChecksumError',
      migration: one.name,
      appliedChecksum: one.checksum,
      currentChecksum: edited.checksum,
    });
    expect(
      await db.query(
        "SELECT 1 FROM information_schema.tables WHERE table_name IN ('b', 'sneaky') AND table_schema = current_schema()",
      ),
    ).toEqual([]);
  });

  it('rolls a failing migration back whole and stops there', async () => {
    const db = freshSchema();
    const broken = m(
      '20260103000000_broken',
      'CREATE TABLE c (id INT); INSERT INTO missing VALUES (1);',
    );
    const later = m('20260104000000_later', 'CREATE TABLE d (id INT);');
    const error = await migrate(db, [one, broken, later]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect(error).toMatchObject({
      migration: broken.name,
      message: expect.stringMatching(/"missing" does not exist/),
    });
    expect((error as Error).cause).toBeInstanceOf(Error);
    const tables = await db.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name',
    );
    expect(tables.map((t) => t.table_name)).toEqual(['_anvil_migrations', 'a']);
  });

  it('lets concurrent runners apply each migration exactly once', async () => {
    const db = freshSchema();
    const results = await Promise.all([migrate(db, [one, two]), migrate(db, [one, two])]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([one.name, two.name]);
  });
});

describe('loadMigrations', () => {
  it('reads the shipped migrations in order', () => {
    const migrations = loadMigrations();
    expect(migrations.map((x) => x.name)).toEqual([...migrations.map((x) => x.name)].sort());
    for (const migration of migrations) {
      expect(migration.name).toMatch(/^\d{14}_[a-z0-9_]+$/);
      expect(migration.checksum).toBe(
        checksumOf(
          fs.readFileSync(path.join(MIGRATIONS_DIR, migration.name, 'migration.sql'), 'utf8'),
        ),
      );
    }
  });

  it('refuses a folder that is not <timestamp>_<name>', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anvil-migrations-'));
    try {
      fs.mkdirSync(path.join(dir, 'init'));
      expect(() => loadMigrations(dir)).toThrow(InvalidStorageConfigError);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ignores line endings in checksums, nothing else', () => {
    expect(checksumOf('SELECT 1;\r\nSELECT 2;\r\n')).toBe(checksumOf('SELECT 1;\nSELECT 2;\n'));
    expect(checksumOf('SELECT 1;')).not.toBe(checksumOf('SELECT 1; '));
  });
});
