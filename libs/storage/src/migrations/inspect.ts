import type { SqlExecutor } from './migrate';

/** A column as the database has it. */
export interface ColumnDescription {
  table: string;
  column: string;
  /** information_schema data type, e.g. `text`, `bigint`, `timestamp with time zone`. */
  type: string;
  nullable: boolean;
  /** Fractional-second digits of a timestamp column, else null. */
  precision: number | null;
  /** The column default as PostgreSQL prints it (`CURRENT_TIMESTAMP`, `'{}'::jsonb`), or null. */
  default: string | null;
}

/** An index (primary keys and unique constraints included). */
export interface IndexDescription {
  table: string;
  name: string;
  unique: boolean;
  /** Indexed columns as PostgreSQL prints them, e.g. `world_id, shard, tick DESC`. */
  columns: string;
}

/** A foreign key and what deleting the referenced row does. */
export interface ForeignKeyDescription {
  table: string;
  name: string;
  onDelete: 'cascade' | 'restrict' | 'no action' | 'set null' | 'set default';
}

/** The tables of the current schema as the database has them: for diagnostics and drift tests. */
export interface SchemaDescription {
  columns: ColumnDescription[];
  indexes: IndexDescription[];
  foreignKeys: ForeignKeyDescription[];
}

const ON_DELETE = {
  c: 'cascade',
  r: 'restrict',
  a: 'no action',
  n: 'set null',
  d: 'set default',
} as const;

/** Reads columns, indexes and foreign keys of the current schema (the search_path's first). */
export async function inspectSchema(executor: SqlExecutor): Promise<SchemaDescription> {
  return executor.transaction(async (tx) => {
    const columns = await tx.query<Omit<ColumnDescription, 'nullable'> & { nullable: string }>(
      `SELECT table_name AS "table", column_name AS "column", data_type AS "type", is_nullable AS "nullable",
              CASE WHEN data_type LIKE 'timestamp%' THEN datetime_precision END AS "precision",
              column_default AS "default"
         FROM information_schema.columns WHERE table_schema = current_schema()
        ORDER BY table_name, ordinal_position`,
    );
    const indexes = await tx.query<{ table: string; name: string; definition: string }>(
      `SELECT tablename AS "table", indexname AS "name", indexdef AS "definition"
         FROM pg_indexes WHERE schemaname = current_schema() ORDER BY tablename, indexname`,
    );
    const foreignKeys = await tx.query<{
      table: string;
      name: string;
      action: keyof typeof ON_DELETE;
    }>(
      `SELECT rel.relname AS "table", con.conname AS "name", con.confdeltype AS "action"
         FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        WHERE con.contype = 'f' AND con.connamespace = current_schema()::regnamespace
        ORDER BY rel.relname, con.conname`,
    );
    return {
      columns: columns.map((c) => ({
        ...c,
        nullable: c.nullable === 'YES',
        precision: c.precision ?? null,
        default: c.default ?? null,
      })),
      indexes: indexes.map(({ table, name, definition }) => ({
        table,
        name,
        unique: /^CREATE UNIQUE INDEX/.test(definition),
        columns: /\((.*)\)\s*$/.exec(definition)?.[1] ?? definition,
      })),
      foreignKeys: foreignKeys.map(({ table, name, action }) => ({
        table,
        name,
        onDelete: ON_DELETE[action],
      })),
    };
  });
}
