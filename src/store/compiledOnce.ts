/**
 * A query Kysely builds and compiles once, then runs with new values: for the reads every
 * request makes (its API key, its job). Building and compiling a query anew each time costs a
 * sixth of a status GET's CPU (`npm run bench -- http`, profiled over the load alone).
 *
 * `build` is called once per database kind with a marker in place of each argument, and must
 * pass each argument to Kysely as a plain value (a parameter), never into SQL text or an
 * expression that changes it; a marker it did not pass through is an error at the first call.
 *
 * On SQLite the read skips Kysely's queue for the connection when no transaction holds it
 * (`StoreDialect.readNow`): the queue's promises are most of a key lookup's time. And a read
 * the current read snapshot has answered already is answered again from it (`rowsOnce`): under
 * 64 polling connections (`npm run bench -- http`) most of these reads repeat the key or job of
 * another request of the same event-loop turn.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import { readNowOf, type Db } from './database.ts';
import { dialectOf, type DialectName } from './dialect.ts';

interface Template {
  sql: string;
  parameters: readonly unknown[];
  /** Where each argument goes in `parameters`. */
  slots: { parameter: number; argument: number }[];
}

export function compiledOnce<Args extends string[], Row>(build: (db: Db, ...args: Args) => Compilable<Row>): (db: Db, ...args: Args) => Promise<Row[]> {
  const templates = new Map<DialectName, Template>();
  const template = (db: Db, arity: number): Template => {
    const dialect = dialectOf(db);
    let found = templates.get(dialect);
    if (!found) {
      const markers = Array.from({ length: arity }, (_, i) => `\u0000argument ${i}\u0000`);
      const compiled = build(db, ...(markers as Args)).compile();
      const slots = compiled.parameters.flatMap((value, parameter) =>
        markers.includes(value as string) ? [{ parameter, argument: markers.indexOf(value as string) }] : [],
      );
      if (new Set(slots.map((slot) => slot.argument)).size !== arity)
        throw new Error(`compiledOnce: an argument of ${compiled.sql} is not one of its parameters`);
      found = { sql: compiled.sql, parameters: compiled.parameters, slots };
      templates.set(dialect, found);
    }
    return found;
  };
  return async (db, ...args) => {
    const { sql, parameters, slots } = template(db, args.length);
    const values = [...parameters];
    for (const slot of slots) values[slot.parameter] = args[slot.argument];
    const rows = readNowOf(db)?.(sql, values);
    if (rows) return rows as Row[];
    const result = await db.executeQuery<Row>(CompiledQuery.raw(sql, values));
    return result.rows;
  };
}
