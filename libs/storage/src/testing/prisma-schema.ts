import type {
  ColumnDescription,
  ForeignKeyDescription,
  IndexDescription,
  SchemaDescription,
} from '../migrations/inspect';

// What the Prisma schema says the database must look like, in the shape inspectSchema() reads
// back, so a test can compare the hand-written migrations with prisma/schema.prisma (the Prisma
// schema engine, which would diff them, cannot run here). Covers the schema features Anvil uses.

interface Field {
  name: string;
  type: string;
  list: boolean;
  optional: boolean;
  attrs: string;
}

interface Model {
  name: string;
  table: string;
  fields: Field[];
  blockAttrs: string[];
}

const SCALARS: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  Float: 'double precision',
  Bytes: 'bytea',
  Json: 'jsonb',
  DateTime: 'timestamp without time zone',
};

const ON_DELETE: Record<string, ForeignKeyDescription['onDelete']> = {
  Cascade: 'cascade',
  Restrict: 'restrict',
  NoAction: 'no action',
  SetNull: 'set null',
  SetDefault: 'set default',
};

/** Parses the models of a Prisma schema into the columns, indexes and foreign keys they imply. */
export function expectedSchema(source: string): SchemaDescription {
  const models = parseModels(source);
  const byName = new Map(models.map((model) => [model.name, model]));
  const result: SchemaDescription = { columns: [], indexes: [], foreignKeys: [] };
  for (const model of models) {
    const column = (field: string) =>
      columnName(
        model.fields.find((f) => f.name === field),
        field,
      );
    for (const field of model.fields) {
      if (byName.has(field.type)) {
        const fk = foreignKey(model, field, column);
        if (fk) result.foreignKeys.push(fk);
      } else if (!field.list) {
        result.columns.push(columnOf(model.table, field));
      }
      if (/@id\b/.test(field.attrs))
        result.indexes.push(index(model.table, 'pkey', [column(field.name)], true));
      if (/@unique\b/.test(field.attrs))
        result.indexes.push(index(model.table, 'key', [column(field.name)], true));
    }
    for (const attr of model.blockAttrs) {
      const kind = /^@@(id|unique|index)\(/.exec(attr)?.[1];
      if (!kind) continue;
      const columns = [
        ...(/\[([^\]]*)\]/.exec(attr)?.[1] ?? '').matchAll(/(\w+)(?:\(([^)]*)\))?/g),
      ].map(([, field, args]) => column(field) + (/sort:\s*Desc/.test(args ?? '') ? ' DESC' : ''));
      const suffix = kind === 'id' ? 'pkey' : kind === 'unique' ? 'key' : 'idx';
      const map = /map:\s*"([^"]+)"/.exec(attr)?.[1];
      result.indexes.push(index(model.table, suffix, columns, kind !== 'index', map));
    }
  }
  return result;
}

function parseModels(source: string): Model[] {
  const text = source.replace(/\/\/.*$/gm, '');
  return [...text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map(([, name, body]) => {
    const lines = body
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const blockAttrs = lines.filter((line) => line.startsWith('@@'));
    const fields = lines
      .filter((line) => !line.startsWith('@@'))
      .map((line) => {
        const [, field, type, list, optional, attrs] =
          /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line) ?? [];
        if (!field) throw new Error(`cannot parse field line "${line}" of model ${name}`);
        return { name: field, type, list: Boolean(list), optional: Boolean(optional), attrs };
      });
    const table =
      blockAttrs.map((attr) => /^@@map\("([^"]+)"\)/.exec(attr)?.[1]).find(Boolean) ?? name;
    return { name, table, fields, blockAttrs };
  });
}

function columnName(field: Field | undefined, fallback: string): string {
  return (field && /@map\("([^"]+)"\)/.exec(field.attrs)?.[1]) ?? fallback;
}

function columnOf(table: string, field: Field): ColumnDescription {
  let type = SCALARS[field.type];
  if (!type) throw new Error(`no PostgreSQL type known for Prisma type ${field.type}`);
  let precision: number | null = null;
  if (field.type === 'DateTime') {
    const native = /@db\.(Timestamptz|Timestamp)(?:\((\d+)\))?/.exec(field.attrs);
    if (native?.[1] === 'Timestamptz') type = 'timestamp with time zone';
    precision = native ? Number(native[2] ?? 6) : 3;
  }
  if (/@db\.Uuid\b/.test(field.attrs)) type = 'uuid';
  const column = columnName(field, field.name);
  return {
    table,
    column,
    type,
    nullable: field.optional,
    precision,
    default: columnDefault(table, column, type, field),
  };
}

/** The default PostgreSQL prints for a field's `@default(...)`; null when Prisma fills it in. */
function columnDefault(table: string, column: string, type: string, field: Field): string | null {
  const value = /@default\(((?:[^()]|\([^()]*\))*)\)/.exec(field.attrs)?.[1];
  if (value === undefined || value === 'uuid()' || value === 'cuid()') return null;
  if (value === 'now()') return 'CURRENT_TIMESTAMP';
  if (value === 'autoincrement()') return `nextval('${table}_${column}_seq'::regclass)`;
  const literal = /^"(.*)"$/.exec(value)?.[1];
  return literal === undefined ? value : `'${literal}'::${type}`;
}

function foreignKey(
  model: Model,
  field: Field,
  column: (field: string) => string,
): ForeignKeyDescription | undefined {
  const relation = /@relation\(([^)]*)\)/.exec(field.attrs)?.[1];
  const fields = relation && /fields:\s*\[([^\]]*)\]/.exec(relation)?.[1];
  if (!fields) return undefined; // the other side of the relation
  const columns = fields.split(',').map((f) => column(f.trim()));
  const action = /onDelete:\s*(\w+)/.exec(relation)?.[1];
  const onDelete = action ? ON_DELETE[action] : field.optional ? 'set null' : 'restrict';
  return { table: model.table, name: `${model.table}_${columns.join('_')}_fkey`, onDelete };
}

function index(
  table: string,
  suffix: string,
  columns: string[],
  unique: boolean,
  map?: string,
): IndexDescription {
  const plain = columns.map((c) => c.replace(/ DESC$/, ''));
  const name =
    map ?? (suffix === 'pkey' ? `${table}_pkey` : `${table}_${plain.join('_')}_${suffix}`);
  return { table, name, unique, columns: columns.join(', ') };
}
