// What PostgreSQL clients ask before any query (psql's \d, SQLAlchemy's inspector, JDBC's
// DatabaseMetaData, Metabase's schema sync) is answered by a small in-memory DuckDB per
// connection that holds nothing but the caller's catalog: one empty table per cube or view they
// may see, with the columns they may see, and pg_catalog tables describing them. No lake is
// attached and file access is off, so a catalog query can read nothing but names the caller
// already sees; it runs under a time and row limit like any other.
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { quoteIdent, quoteLiteral } from '../../core/index.ts';
import { mapCode } from './sql-text.ts';
import { OID, pgTypeOf } from './types.ts';

/** A relation as a SQL client sees it: a cube or view with its dimensions as columns. */
export interface SqlTable {
  name: string;
  description?: string | undefined;
  columns: Array<{ name: string; type: string; description?: string | undefined }>;
}

/** What a connection's catalog reports about the server. */
export interface CatalogIdentity {
  user: string;
  database: string;
  serverVersion: string;
  processId: number;
}

const PUBLIC_OID = 2200;
const CATALOG_OID = 11;
const INFO_OID = 13_000;
const FIRST_TABLE_OID = 16_384;

/** PostgreSQL's names for the types results carry (pg_type.typname, format_type). */
const TYPES: Array<[number, string, string, number, string]> = [
  [OID.bool, 'bool', 'boolean', 1, 'B'],
  [OID.bytea, 'bytea', 'bytea', -1, 'U'],
  [18, 'char', '"char"', 1, 'S'],
  [19, 'name', 'name', 64, 'S'],
  [OID.int8, 'int8', 'bigint', 8, 'N'],
  [OID.int2, 'int2', 'smallint', 2, 'N'],
  [OID.int4, 'int4', 'integer', 4, 'N'],
  [OID.text, 'text', 'text', -1, 'S'],
  [26, 'oid', 'oid', 4, 'N'],
  [OID.json, 'json', 'json', -1, 'U'],
  [OID.float4, 'float4', 'real', 4, 'N'],
  [OID.float8, 'float8', 'double precision', 8, 'N'],
  [OID.unknown, 'unknown', 'unknown', -2, 'X'],
  [OID.varchar, 'varchar', 'character varying', -1, 'S'],
  [OID.date, 'date', 'date', 4, 'D'],
  [OID.time, 'time', 'time without time zone', 8, 'D'],
  [OID.timestamp, 'timestamp', 'timestamp without time zone', 8, 'D'],
  [OID.timestamptz, 'timestamptz', 'timestamp with time zone', 8, 'D'],
  [OID.interval, 'interval', 'interval', 16, 'T'],
  [OID.numeric, 'numeric', 'numeric', -1, 'N'],
  [OID.uuid, 'uuid', 'uuid', 16, 'U'],
];

/** Empty catalogs clients join against: name and columns (all nullable, typed loosely). */
const EMPTY_CATALOGS: Record<string, string> = {
  pg_index:
    'indexrelid BIGINT, indrelid BIGINT, indnatts INTEGER, indnkeyatts INTEGER, indisunique BOOLEAN, indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN, indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN, indkey INTEGER[], indcollation BIGINT[], indclass BIGINT[], indoption INTEGER[], indexprs VARCHAR, indpred VARCHAR',
  pg_attrdef: 'oid BIGINT, adrelid BIGINT, adnum INTEGER, adbin VARCHAR',
  pg_constraint:
    'oid BIGINT, conname VARCHAR, connamespace BIGINT, contype VARCHAR, condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN, conrelid BIGINT, contypid BIGINT, conindid BIGINT, conparentid BIGINT, confrelid BIGINT, confupdtype VARCHAR, confdeltype VARCHAR, confmatchtype VARCHAR, conislocal BOOLEAN, coninhcount INTEGER, connoinherit BOOLEAN, conkey INTEGER[], confkey INTEGER[], conpfeqop BIGINT[], conppeqop BIGINT[], conffeqop BIGINT[], conexclop BIGINT[], conbin VARCHAR',
  pg_inherits: 'inhrelid BIGINT, inhparent BIGINT, inhseqno INTEGER, inhdetachpending BOOLEAN',
  pg_policy:
    'oid BIGINT, polname VARCHAR, polrelid BIGINT, polcmd VARCHAR, polpermissive BOOLEAN, polroles BIGINT[], polqual VARCHAR, polwithcheck VARCHAR',
  pg_statistic_ext:
    'oid BIGINT, stxrelid BIGINT, stxname VARCHAR, stxnamespace BIGINT, stxowner BIGINT, stxstattarget INTEGER, stxkeys INTEGER[], stxkind VARCHAR[], stxexprs VARCHAR',
  pg_publication:
    'oid BIGINT, pubname VARCHAR, pubowner BIGINT, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN',
  pg_publication_rel: 'oid BIGINT, prpubid BIGINT, prrelid BIGINT, prqual VARCHAR, prattrs INTEGER[]',
  pg_publication_namespace: 'oid BIGINT, pnpubid BIGINT, pnnspid BIGINT',
  pg_collation:
    'oid BIGINT, collname VARCHAR, collnamespace BIGINT, collowner BIGINT, collprovider VARCHAR, collisdeterministic BOOLEAN, collencoding INTEGER, collcollate VARCHAR, collctype VARCHAR',
  pg_trigger:
    'oid BIGINT, tgrelid BIGINT, tgparentid BIGINT, tgname VARCHAR, tgfoid BIGINT, tgtype INTEGER, tgenabled VARCHAR, tgisinternal BOOLEAN, tgconstrrelid BIGINT, tgconstrindid BIGINT, tgconstraint BIGINT, tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs INTEGER, tgattr INTEGER[], tgargs BLOB, tgqual VARCHAR',
  pg_rewrite:
    'oid BIGINT, rulename VARCHAR, ev_class BIGINT, ev_type VARCHAR, ev_enabled VARCHAR, is_instead BOOLEAN',
  pg_enum: 'oid BIGINT, enumtypid BIGINT, enumsortorder DOUBLE, enumlabel VARCHAR',
  pg_foreign_table: 'ftrelid BIGINT, ftserver BIGINT, ftoptions VARCHAR[]',
  pg_partitioned_table:
    'partrelid BIGINT, partstrat VARCHAR, partnatts INTEGER, partdefid BIGINT, partattrs INTEGER[]',
  pg_sequence:
    'seqrelid BIGINT, seqtypid BIGINT, seqstart BIGINT, seqincrement BIGINT, seqmax BIGINT, seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN',
  pg_depend:
    'classid BIGINT, objid BIGINT, objsubid INTEGER, refclassid BIGINT, refobjid BIGINT, refobjsubid INTEGER, deptype VARCHAR',
  pg_proc:
    'oid BIGINT, proname VARCHAR, pronamespace BIGINT, proowner BIGINT, prolang BIGINT, prokind VARCHAR, prorettype BIGINT, proargtypes BIGINT[], proretset BOOLEAN',
  pg_views: 'schemaname VARCHAR, viewname VARCHAR, viewowner VARCHAR, definition VARCHAR',
  pg_matviews:
    'schemaname VARCHAR, matviewname VARCHAR, matviewowner VARCHAR, tablespace VARCHAR, hasindexes BOOLEAN, ispopulated BOOLEAN, definition VARCHAR',
  pg_indexes:
    'schemaname VARCHAR, tablename VARCHAR, indexname VARCHAR, tablespace VARCHAR, indexdef VARCHAR',
  pg_extension:
    'oid BIGINT, extname VARCHAR, extowner BIGINT, extnamespace BIGINT, extrelocatable BOOLEAN, extversion VARCHAR',
  pg_event_trigger: 'oid BIGINT, evtname VARCHAR, evtevent VARCHAR, evtowner BIGINT, evtenabled VARCHAR',
  pg_stat_activity:
    'datid BIGINT, datname VARCHAR, pid INTEGER, usename VARCHAR, application_name VARCHAR, state VARCHAR, query VARCHAR',
};

/** information_schema views a client sees filtered to schema public. */
const INFORMATION_SCHEMA_VIEWS = [
  'tables',
  'columns',
  'schemata',
  'views',
  'table_constraints',
  'key_column_usage',
];

/** Functions clients call in catalog queries, as macros over this catalog: name, then overloads. */
function macros(id: CatalogIdentity): string[] {
  const q = quoteLiteral;
  const formatType = `CASE t ${TYPES.map(([oid, , display]) => `WHEN ${oid} THEN ${q(display)}`).join(' ')} ELSE 'text' END`;
  const nullText = 'NULL::VARCHAR';
  const defs: Array<[string, Array<[string, string]>]> = [
    ['version', [['', q(`PostgreSQL ${id.serverVersion} (Private Analyst SQL API), 64-bit`)]]],
    ['current_database', [['', q(id.database)]]],
    ['current_catalog', [['', q(id.database)]]],
    ['current_user', [['', q(id.user)]]],
    ['session_user', [['', q(id.user)]]],
    ['"user"', [['', q(id.user)]]],
    ['current_schemas', [['b', "['public']"]]],
    ['pg_backend_pid', [['', String(id.processId)]]],
    ['pg_is_in_recovery', [['', 'false']]],
    ['inet_server_addr', [['', nullText]]],
    ['inet_server_port', [['', 'NULL::INTEGER']]],
    ['txid_current', [['', '1']]],
    ['pg_get_userbyid', [['x', q(id.user)]]],
    ['pg_table_is_visible', [['x', 'true']]],
    ['pg_type_is_visible', [['x', 'true']]],
    ['pg_function_is_visible', [['x', 'true']]],
    ['format_type', [['t, m', formatType]]],
    [
      'pg_get_expr',
      [
        ['a, b', nullText],
        ['a, b, c', nullText],
      ],
    ],
    [
      'pg_get_indexdef',
      [
        ['a', nullText],
        ['a, b, c', nullText],
      ],
    ],
    [
      'pg_get_constraintdef',
      [
        ['a', nullText],
        ['a, b', nullText],
      ],
    ],
    [
      'pg_get_viewdef',
      [
        ['a', nullText],
        ['a, b', nullText],
      ],
    ],
    ['pg_get_statisticsobjdef_columns', [['a', nullText]]],
    ['pg_get_partkeydef', [['a', nullText]]],
    ['pg_get_serial_sequence', [['a, b', nullText]]],
    ['pg_relation_is_publishable', [['a', 'false']]],
    ['pg_total_relation_size', [['a', '0']]],
    ['pg_relation_size', [['a', '0']]],
    ['pg_table_size', [['a', '0']]],
    ['pg_encoding_to_char', [['a', "'UTF8'"]]],
    [
      'has_table_privilege',
      [
        ['a, b', 'true'],
        ['a, b, c', 'true'],
      ],
    ],
    [
      'has_schema_privilege',
      [
        ['a, b', 'true'],
        ['a, b, c', 'true'],
      ],
    ],
    [
      'has_database_privilege',
      [
        ['a, b', 'true'],
        ['a, b, c', 'true'],
      ],
    ],
    [
      'has_column_privilege',
      [
        ['a, b, c', 'true'],
        ['a, b, c, d', 'true'],
      ],
    ],
    [
      'obj_description',
      [
        ['a', '(SELECT description FROM main.pg_description WHERE objoid = a AND objsubid = 0 LIMIT 1)'],
        ['a, b', '(SELECT description FROM main.pg_description WHERE objoid = a AND objsubid = 0 LIMIT 1)'],
      ],
    ],
    [
      'col_description',
      [['a, b', '(SELECT description FROM main.pg_description WHERE objoid = a AND objsubid = b LIMIT 1)']],
    ],
    ['shobj_description', [['a, b', nullText]]],
    [
      'current_setting',
      [
        ['a', '(SELECT setting FROM main.pg_settings WHERE lower(name) = lower(a))'],
        ['a, b', '(SELECT setting FROM main.pg_settings WHERE lower(name) = lower(a))'],
      ],
    ],
    ['set_config', [['a, b, c', 'b']]],
    ['array_upper', [['a, d', 'len(a)']]],
    ['to_regtype', [['x', '(SELECT oid FROM main.pg_type WHERE typname = x LIMIT 1)']]],
    [
      'to_regclass',
      [['x', "(SELECT oid FROM main.pg_class WHERE relname = regexp_replace(x, '^public[.]', '') LIMIT 1)"]],
    ],
    ['array_lower', [['a, d', 'CASE WHEN len(a) > 0 THEN 1 END']]],
    ['pg_get_function_identity_arguments', [['a', nullText]]],
    ['pg_get_function_result', [['a', nullText]]],
    ['pg_get_function_arguments', [['a', nullText]]],
    ['pg_postmaster_start_time', [['', "TIMESTAMPTZ '2026-01-01 00:00:00+00'"]]],
  ];
  return defs.map(
    ([name, overloads]) =>
      `CREATE MACRO ${name}${overloads.map(([params, body]) => `(${params}) AS ${body}`).join(', ')}`,
  );
}

/** The DDL and rows of one caller's catalog. */
export function catalogStatements(tables: readonly SqlTable[], id: CatalogIdentity): string[] {
  const q = quoteLiteral;
  const out: string[] = [
    'CREATE SCHEMA public',
    // Types the PostgreSQL dialect casts to; values stay numbers or text.
    'CREATE TYPE regclass AS BIGINT',
    'CREATE TYPE regtype AS BIGINT',
    'CREATE TYPE regproc AS BIGINT',
    'CREATE TYPE regnamespace AS BIGINT',
    'CREATE TYPE regrole AS BIGINT',
    'CREATE TYPE name AS VARCHAR',
    `CREATE TABLE main.pg_namespace AS SELECT * FROM (VALUES (${CATALOG_OID}::BIGINT, 'pg_catalog', 10::BIGINT, NULL::VARCHAR), (${PUBLIC_OID}, 'public', 10, NULL), (${INFO_OID}, 'information_schema', 10, NULL)) t(oid, nspname, nspowner, nspacl)`,
    `CREATE TABLE main.pg_type AS SELECT * FROM (VALUES ${TYPES.map(
      ([oid, name, , len, cat]) =>
        `(${oid}::BIGINT, ${q(name)}, ${CATALOG_OID}::BIGINT, 10::BIGINT, ${len}, ${len > 0 && len <= 8}, 'b', ${q(cat)}, false, true, ',', 0::BIGINT, 0::BIGINT, 0::BIGINT, false, 0::BIGINT, -1, 0, 0::BIGINT, NULL::VARCHAR, 'p', 'i')`,
    ).join(
      ', ',
    )}) t(oid, typname, typnamespace, typowner, typlen, typbyval, typtype, typcategory, typispreferred, typisdefined, typdelim, typrelid, typelem, typarray, typnotnull, typbasetype, typtypmod, typndims, typcollation, typdefault, typstorage, typalign)`,
    `CREATE TABLE main.pg_am AS SELECT * FROM (VALUES (2::BIGINT, 'heap', 't'), (403, 'btree', 'i')) t(oid, amname, amtype)`,
    `CREATE TABLE main.pg_database AS SELECT * FROM (VALUES (16383::BIGINT, ${q(id.database)}, 10::BIGINT, 6, 'c', 'C', 'C', NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR, false, true, -1, NULL::VARCHAR[], 1663::BIGINT)) t(oid, datname, datdba, encoding, datlocprovider, datcollate, datctype, daticulocale, daticurules, datcollversion, datistemplate, datallowconn, datconnlimit, datacl, dattablespace)`,
    `CREATE TABLE main.pg_roles AS SELECT * FROM (VALUES (10::BIGINT, ${q(id.user)}, false, true, false, false, true, false, -1, NULL::VARCHAR, false, false)) t(oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolconnlimit, rolpassword, rolbypassrls, rolvaliduntil)`,
    `CREATE TABLE main.pg_user AS SELECT * FROM (VALUES (${q(id.user)}, 10::BIGINT, false, false, false, false)) t(usename, usesysid, usecreatedb, usesuper, userepl, usebypassrls)`,
    `CREATE TABLE main.pg_tablespace AS SELECT * FROM (VALUES (1663::BIGINT, 'pg_default', 10::BIGINT)) t(oid, spcname, spcowner)`,
    'CREATE TABLE main.pg_description (objoid BIGINT, classoid BIGINT, objsubid INTEGER, description VARCHAR)',
    'CREATE TABLE main.pg_class (oid BIGINT, relname VARCHAR, relnamespace BIGINT, reltype BIGINT, reloftype BIGINT, relowner BIGINT, relam BIGINT, relfilenode BIGINT, reltablespace BIGINT, relpages INTEGER, reltuples DOUBLE, relallvisible INTEGER, reltoastrelid BIGINT, relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence VARCHAR, relkind VARCHAR, relnatts INTEGER, relchecks INTEGER, relhasrules BOOLEAN, relhastriggers BOOLEAN, relhassubclass BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, relispopulated BOOLEAN, relreplident VARCHAR, relispartition BOOLEAN, relrewrite BIGINT, relfrozenxid BIGINT, relminmxid BIGINT, relacl VARCHAR[], reloptions VARCHAR[], relpartbound VARCHAR)',
    'CREATE TABLE main.pg_attribute (attrelid BIGINT, attname VARCHAR, atttypid BIGINT, attstattarget INTEGER, attlen INTEGER, attnum INTEGER, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER, attbyval BOOLEAN, attalign VARCHAR, attstorage VARCHAR, attcompression VARCHAR, attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN, attidentity VARCHAR, attgenerated VARCHAR, attisdropped BOOLEAN, attislocal BOOLEAN, attinhcount INTEGER, attcollation BIGINT, attacl VARCHAR[], attoptions VARCHAR[], attfdwoptions VARCHAR[], attmissingval VARCHAR)',
    `CREATE TABLE main.pg_settings AS SELECT * FROM (VALUES ('server_version', ${q(id.serverVersion)}), ('server_encoding', 'UTF8'), ('client_encoding', 'UTF8'), ('standard_conforming_strings', 'on'), ('max_identifier_length', '63'), ('TimeZone', 'UTC'), ('DateStyle', 'ISO, MDY'), ('server_version_num', ${q(versionNum(id.serverVersion))}), ('search_path', '"$user", public'), ('transaction_isolation', 'read committed')) t(name, setting)`,
    `CREATE TABLE main.pg_tables AS SELECT 'public' AS schemaname, NULL::VARCHAR AS tablename, ${q(id.user)} AS tableowner, NULL::VARCHAR AS tablespace, false AS hasindexes, false AS hasrules, false AS hastriggers, false AS rowsecurity WHERE false`,
  ];
  for (const [name, cols] of Object.entries(EMPTY_CATALOGS)) out.push(`CREATE TABLE main.${name} (${cols})`);
  out.push(...macros(id));
  // information_schema as clients see it: the relations of schema public only (DuckDB's own would
  // also list this catalog's tables in schema main). catalogDialect points client queries here.
  for (const view of INFORMATION_SCHEMA_VIEWS) {
    const filter = view === 'schemata' ? "schema_name = 'public'" : "table_schema = 'public'";
    const catalogColumn = view === 'schemata' ? 'catalog_name' : 'table_catalog';
    const pgDataType =
      view === 'columns'
        ? `, CASE WHEN data_type LIKE 'DECIMAL%' THEN 'numeric' ${[
            ['VARCHAR', 'text'],
            ['BIGINT', 'bigint'],
            ['INTEGER', 'integer'],
            ['SMALLINT', 'smallint'],
            ['DOUBLE', 'double precision'],
            ['FLOAT', 'real'],
            ['BOOLEAN', 'boolean'],
            ['DATE', 'date'],
            ['TIMESTAMP', 'timestamp without time zone'],
            ['TIMESTAMP WITH TIME ZONE', 'timestamp with time zone'],
            ['HUGEINT', 'numeric'],
          ]
            .map(([duck, pgName]) => `WHEN data_type = ${q(duck as string)} THEN ${q(pgName as string)}`)
            .join(' ')} ELSE 'text' END AS data_type`
        : '';
    out.push(
      `CREATE VIEW main.__information_schema_${view} AS SELECT * REPLACE (${q(id.database)} AS ${catalogColumn}${pgDataType}) FROM information_schema.${view} WHERE ${filter}`,
    );
  }

  const classRows: string[] = [];
  const tableRows: string[] = [];
  const attributeRows: string[] = [];
  const descriptionRows: string[] = [];
  tables.forEach((t, i) => {
    const oid = FIRST_TABLE_OID + i;
    const cols = t.columns;
    out.push(
      `CREATE TABLE public.${quoteIdent(t.name)} (${cols.map((c) => `${quoteIdent(c.name)} ${ddlType(c.type)}`).join(', ')})`,
    );
    classRows.push(
      `(${oid}, ${q(t.name)}, ${PUBLIC_OID}, 0, 0, 10, 2, ${oid}, 0, 0, -1, 0, 0, false, false, 'p', 'r', ${cols.length}, 0, false, false, false, false, false, true, 'd', false, 0, 0, 0, NULL, NULL, NULL)`,
    );
    tableRows.push(`('public', ${q(t.name)}, ${q(id.user)}, NULL, false, false, false, false)`);
    if (t.description) descriptionRows.push(`(${oid}, 1259, 0, ${q(t.description)})`);
    cols.forEach((c, k) => {
      const typeOid = pgTypeOf(c.type);
      const len = TYPES.find(([o]) => o === typeOid)?.[3] ?? -1;
      attributeRows.push(`(${oid},${q(c.name)},${typeOid},${len},${k + 1})`);
      if (c.description) descriptionRows.push(`(${oid}, 1259, ${k + 1}, ${q(c.description)})`);
    });
  });
  if (classRows.length) out.push(`INSERT INTO main.pg_class VALUES ${classRows.join(', ')}`);
  if (tableRows.length) out.push(`INSERT INTO main.pg_tables VALUES ${tableRows.join(', ')}`);
  // Few columns per row: DuckDB binds a long VALUES list of wide rows slowly.
  if (attributeRows.length)
    out.push(
      `INSERT INTO main.pg_attribute SELECT r, n, t, -1, l, k, 0, -1, -1, l BETWEEN 1 AND 8, 'i', 'x', '', false, false, false, '', '', false, true, 0, 0, NULL, NULL, NULL, NULL FROM (VALUES ${attributeRows.join(',')}) v(r, n, t, l, k)`,
    );
  if (descriptionRows.length)
    out.push(`INSERT INTO main.pg_description VALUES ${descriptionRows.join(', ')}`);
  return out;
}

function versionNum(v: string): string {
  const [major = '15', minor = '0'] = v.split('.');
  return String(Number(major) * 10_000 + Number(minor));
}

function ddlType(type: string): string {
  return /^[A-Z][A-Z0-9_ (),]*(\[\])?$/i.test(type) && !/;|--/.test(type) ? type : 'VARCHAR';
}

/**
 * PostgreSQL spellings DuckDB does not parse, rewritten outside literals: `OPERATOR(pg_catalog.~)`,
 * `COLLATE pg_catalog.default`, and the `pg_catalog.` qualifier (this catalog's tables and macros
 * shadow DuckDB's own pg_catalog views).
 */
export function catalogDialect(sql: string): string {
  return (
    mapCode(sql, (code) =>
      code
        .replace(/OPERATOR\s*\(\s*(?:pg_catalog\s*\.\s*)?([^)\s]+)\s*\)/gi, ' $1 ')
        .replace(/COLLATE\s+(?:pg_catalog\s*\.\s*)?(?:default\b|"default"|"C"|"POSIX")/gi, '')
        .replace(/\bpg_catalog\s*\.\s*/gi, '')
        .replace(/\bjson_build_object\s*\(/gi, 'json_object(')
        .replace(
          new RegExp(`\\binformation_schema\\s*\\.\\s*"?(${INFORMATION_SCHEMA_VIEWS.join('|')})\\b"?`, 'gi'),
          (_m, view: string) => `main.__information_schema_${view.toLowerCase()}`,
        )
        // PostgreSQL names a set-returning function's column after its alias: `generate_series(…) s`.
        .replace(
          /(\bgenerate_series\s*\((?:[^()]|\([^()]*\))*\))\s+(?:AS\s+)?([A-Za-z_]\w*)(?!\s*\()(?=\s*(?:,|\bJOIN\b|\bWHERE\b|\)|$))/gi,
          '$1 AS $2($2)',
        ),
    )
      .replace(/\bpg_catalog\."/gi, '"')
      // PostgreSQL's regular-expression match finds the pattern anywhere; DuckDB's ~ must match all.
      .replace(
        /([A-Za-z_][\w.]*)\s*(!?)~(\*?)\s*('(?:[^']|'')*')/g,
        (_m, left: string, not: string, ci: string, pattern: string) =>
          `${not ? 'NOT ' : ''}regexp_matches(${left}, ${pattern}${ci ? ", 'i'" : ''})`,
      )
  );
}

/**
 * One connection's catalog database. Its one DuckDB connection runs one statement at a time: the
 * MEASURE() rewrite parses several expressions at once, and DuckDB fails a statement, or ends a
 * streamed result early without an error, when another starts on the same connection meanwhile.
 */
export class CatalogDatabase {
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
  ) {}

  /** A fresh catalog for `tables`, locked down before the caller's first statement. */
  static async open(tables: readonly SqlTable[], id: CatalogIdentity): Promise<CatalogDatabase> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: '64MB',
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const conn = await instance.connect();
    try {
      // One round trip: the statements run in order, and any failure fails the whole catalog.
      await conn.run(
        [
          ...catalogStatements(tables, id),
          "SET search_path = 'public,main'",
          'SET lock_configuration = true',
        ].join(';\n'),
      );
    } catch (err) {
      conn.closeSync();
      instance.closeSync();
      throw err;
    }
    return new CatalogDatabase(instance, conn);
  }

  /** The table references and function names of one SELECT, or `undefined` if it does not parse as one. */
  async references(sql: string): Promise<{ tables: Array<{ schema: string; name: string }> } | undefined> {
    const ast = await this.serialize(sql);
    if (!ast || !Array.isArray(ast.statements) || ast.statements.length !== 1) return undefined;
    const tables: Array<{ schema: string; name: string }> = [];
    const visit = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') {
        const node = v as Record<string, unknown>;
        if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string')
          tables.push({ schema: String(node.schema_name ?? ''), name: node.table_name });
        if (node.type === 'TABLE_FUNCTION') {
          const fn = (node.function as Record<string, unknown> | undefined)?.function_name;
          tables.push({ schema: '', name: `(function ${String(fn ?? '').toLowerCase()})` });
        }
        for (const x of Object.values(node)) visit(x);
      }
    };
    visit(ast.statements);
    return { tables };
  }

  /** DuckDB's parse tree of `sql` (one or more SELECTs), or `undefined` when it does not parse. */
  async serialize(sql: string): Promise<Record<string, unknown> | undefined> {
    try {
      const r = await this.#exclusive(() =>
        this.conn.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR)', [sql]),
      );
      const tree = JSON.parse(String(r.getRows()[0]?.[0])) as Record<string, unknown>;
      return tree.error === true ? undefined : tree;
    } catch {
      return undefined;
    }
  }

  /** SQL text of a parse tree from `serialize`. */
  async deserialize(tree: Record<string, unknown>): Promise<string> {
    const r = await this.#exclusive(() =>
      this.conn.runAndReadAll('SELECT json_deserialize_sql($1::JSON)', [JSON.stringify(tree)]),
    );
    return String(r.getRows()[0]?.[0]);
  }

  /** Run one catalog SELECT with a time limit and a row cap. */
  async query(
    sql: string,
    limits: { timeoutMs: number; maxRows: number; signal?: AbortSignal },
  ): Promise<{ columns: Array<{ name: string; type: string }>; rows: unknown[][] }> {
    return this.#exclusive(async () => {
      if (limits.signal?.aborted) throw new Error('Interrupted: cancelled before it started');
      // The time limit counts from the statement's turn, and an interrupt reaches only it.
      const timer = setTimeout(() => this.conn.interrupt(), limits.timeoutMs);
      const cancel = () => this.conn.interrupt();
      limits.signal?.addEventListener('abort', cancel, { once: true });
      try {
        const reader = await this.conn.streamAndReadUntil(sql, limits.maxRows);
        const names = reader.columnNames();
        const types = reader.columnTypes();
        return {
          columns: names.map((name, i) => ({ name, type: String(types[i]) })),
          rows: reader.getRowsJson().slice(0, limits.maxRows) as unknown[][],
        };
      } finally {
        clearTimeout(timer);
        limits.signal?.removeEventListener('abort', cancel);
      }
    });
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
  }

  /** Run `fn` when every statement queued before it has ended. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(fn, fn);
    this.#queue = next.catch(() => {});
    return next;
  }
}
