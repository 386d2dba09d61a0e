/** The clips family's tables: clips, their candidates, captions, renders and resumable uploads. */
export type ClipStatus = 'uploading' | 'processing' | 'ready' | 'rendering' | 'rendered' | 'failed';

export interface ClipsTable {
  id: string;
  org_id: string;
  name: string;
  status: ClipStatus;
  error: string | null;
  /** Relative to the clips directory. */
  source_path: string | null;
  file_size: number | null;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  video_codec: string | null;
  audio_codec: string | null;
  created_at: string;
  updated_at: string;
}

export interface ClipCandidatesTable {
  id: string;
  clip_id: string;
  start_ms: number;
  end_ms: number;
  title: string;
  score: number | null;
  source: 'detected' | 'user';
  created_at: string;
}

export interface ClipCaptionsTable {
  clip_id: string;
  format: string;
  /** JSON array of {startMs, endMs, text}. */
  cues: string;
  created_at: string;
}

export interface ClipRendersTable {
  job_id: string;
  clip_id: string;
  org_id: string;
  candidate_id: string;
  template: string;
  captions: number;
  output_path: string | null;
  created_at: string;
}

export interface ClipUploadsTable {
  id: string;
  org_id: string;
  name: string;
  file_name: string;
  size: number;
  part_size: number;
  /** JSON object: part number → SHA-256 hex. */
  parts: string;
  /** The clip source's storage key, fixed at the start (null: started before 0020). */
  storage_key: string | null;
  /** The storage driver's multipart handle (null: started before 0020; the file driver used the id). */
  storage_upload_id: string | null;
  /** JSON object: part number → the storage's tag for it (an S3 ETag); null before 0020. */
  part_tags: string | null;
  created_at: string;
  expires_at: string;
}
