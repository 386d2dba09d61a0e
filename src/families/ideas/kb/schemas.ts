/**
 * Knowledge bases, their documents and search on the wire, declared once for validation,
 * serialization, /openapi.json and the typed client. Imports nothing but TypeBox and other
 * schema modules.
 */
import { Type } from '@sinclair/typebox';
import { Nullable, Timestamp } from '../../../http/schemas.ts';

export const KbView = Type.Object({
  id: Type.String({ description: 'kb_<ULID>' }),
  name: Type.String(),
  description: Nullable(Type.String()),
  documents: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const DocView = Type.Object({
  id: Type.String({ description: 'doc_<ULID>' }),
  kbId: Type.String(),
  uri: Type.String(),
  title: Nullable(Type.String()),
  contentType: Type.String(),
  status: Type.Union([Type.Literal('processing'), Type.Literal('indexed'), Type.Literal('failed')]),
  passages: Type.Integer(),
  error: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const CreateKbBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), description: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const KbsPage = Type.Object({ kbs: Type.Array(KbView), total: Type.Integer() });

export const KbDeleted = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });

export const DocUploadQuery = Type.Object({ title: Type.Optional(Type.String({ maxLength: 300 })), uri: Type.Optional(Type.String({ maxLength: 2000 })) });

export const DocsPage = Type.Object({ docs: Type.Array(DocView), total: Type.Integer() });

export const SearchBody = Type.Object(
  { query: Type.String({ minLength: 1, maxLength: 500 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5 })) },
  { additionalProperties: false },
);

export const SearchAnswer = Type.Object({
  query: Type.String(),
  limit: Type.Integer(),
  total: Type.Integer(),
  results: Type.Array(Type.Object({ uri: Type.String(), score: Type.Number(), content: Type.String(), matchReason: Type.String() })),
});
