/** The sourcing family's tables: profiles, their identities, and what each sourcing run returned. */
export interface ProfilesTable {
  id: string;
  org_id: string;
  name: string;
  headline: string | null;
  location: string | null;
  linkedin_url: string | null;
  /** JSON array of strings. */
  emails: string;
  /** The JSON Resume document, as JSON text. */
  resume: string;
  /** SQLite only: the profile's row in the FTS5 index. */
  search_rowid: number | null;
  created_at: string;
  updated_at: string;
}

export interface ProfileIdentitiesTable {
  org_id: string;
  kind: 'email' | 'linkedin';
  value: string;
  profile_id: string;
}

export interface SourcingRunProfilesTable {
  run_id: string;
  org_id: string;
  profile_id: string;
  rank: number;
  match_score: number;
  created_at: string;
}
