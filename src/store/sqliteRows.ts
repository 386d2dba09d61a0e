/**
 * A SQLite statement's rows as plain objects, built here from the arrays better-sqlite3 returns
 * in its raw mode, by a function made once per statement from its column names.
 *
 * Why: better-sqlite3 builds each row object property by property in C++, which costs more
 * than reading the row: arrays turned into objects here take half the time a row, for a select
 * and for the claim's `update … returning` alike (better-sqlite3 alone, groups of 512), and a
 * property set in a loop here would lose most of that. The function builds every row with one
 * object literal, so V8 gives all rows of a statement one shape.
 *
 * What it keeps: the same keys in the same order with the same values as better-sqlite3's own
 * objects (a name the statement returns twice keeps its last value, as there). A statement
 * with a column named `__proto__`, which an object literal would take for the prototype, has
 * its rows built value by value, as better-sqlite3 builds them.
 *
 * The arrays are also what the read snapshot keeps of a read it may answer again
 * (`ReadSnapshot.rowsOnce`): each caller gets objects of its own, built from them.
 */
import type BetterSqlite3 from 'better-sqlite3';

export interface RowReader {
  /** The statement's rows as objects. */
  all(parameters: readonly unknown[]): Record<string, unknown>[];
  /** The rows as better-sqlite3 returns them raw, one array each in column order. */
  arrays(parameters: readonly unknown[]): unknown[][];
  /** New objects for rows that `arrays` returned (each call its own, so kept arrays can serve again). */
  objects(rows: readonly unknown[][]): Record<string, unknown>[];
}

export function rowsOf(statement: BetterSqlite3.Statement): RowReader {
  const names = statement.columns().map((column) => column.name);
  statement.raw(true);
  const build = names.includes('__proto__') ? propertyByProperty(names) : oneLiteral(names);
  const arrays = (parameters: readonly unknown[]) => statement.all(parameters) as unknown[][];
  const objects = (rows: readonly unknown[][]) => {
    const built = new Array<Record<string, unknown>>(rows.length);
    for (let i = 0; i < rows.length; i++) built[i] = build(rows[i]!);
    return built;
  };
  return { all: (parameters) => objects(arrays(parameters)), arrays, objects };
}

type Build = (row: readonly unknown[]) => Record<string, unknown>;

function oneLiteral(names: string[]): Build {
  // Only the column names go into the function's text, each as a JSON-quoted key.
  const fields = names.map((name, i) => `${JSON.stringify(name)}: row[${i}]`).join(', ');
  return new Function('row', `return { ${fields} };`) as Build;
}

/** As better-sqlite3 does it: each value assigned, so `__proto__` is the setter there as here. */
function propertyByProperty(names: string[]): Build {
  return (row) => {
    const object: Record<string, unknown> = {};
    for (let i = 0; i < names.length; i++) object[names[i]!] = row[i];
    return object;
  };
}
