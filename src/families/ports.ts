/**
 * What one family asks of another, as interfaces: a family names what it needs here and the
 * composition root (src/app/families.ts) hands it the other family's implementation, so no
 * family imports another.
 */
import type { Db } from '../store/database.ts';

/** A passage of a knowledge base, as agents write about it. */
export interface KnowledgePassage {
  id: string;
  uri: string;
  /** The document's title, when it has one. */
  title: string | null;
  heading: string | null;
  content: string;
}

/** The knowledge bases (ideas family), read by agents. */
export interface KnowledgeReader {
  /** Whether the organisation has this knowledge base. */
  kbExists(db: Db, orgId: string, kbId: string): Promise<boolean>;
  /** A knowledge base's indexed passages in reading order (documents oldest first), at most `limit`. */
  passagesInOrder(db: Db, kbId: string, limit: number): Promise<KnowledgePassage[]>;
  /** Passages matching any of `terms` in their text or heading, best first; `score` is 0…1. */
  passagesRanked(db: Db, kbId: string, terms: string[], limit: number): Promise<{ passageId: string; score: number }[]>;
}

/** The webhook endpoints (webhooks family), asked by the families whose runs name one. */
export interface WebhookTargets {
  /** The endpoint's organisation and whether it takes one of `eventTypes`; undefined when no endpoint has this id. */
  endpointFor(db: Db, webhookId: string, eventTypes: string[]): Promise<{ orgId: string; subscribed: boolean } | undefined>;
}
