/** Demo: a `sleep` kind and its route, for trying the server and for tests (LONGRUN_DEMO_KINDS). */
import type { Family, FamilyDeps } from '../family.ts';
import { sleepKind } from './kind.ts';
import { sleepRoutes } from './routes.ts';

export function demoFamily({ config, engine, store }: FamilyDeps): Family {
  const kind = sleepKind({ logFile: config.demoLogFile });
  return {
    name: 'demo',
    kinds: [kind],
    async routes(app) {
      await app.register(sleepRoutes, { db: store.db, engine, kind });
    },
  };
}
