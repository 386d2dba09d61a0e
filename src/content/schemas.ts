/** The platforms a draft is written for, and their modes: the words the wire shapes of ideas and agents share. */
export const PLATFORMS = ['twitter', 'linkedin', 'instagram', 'youtube', 'threads'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const MODES = ['short', 'premium', 'thread', 'standard', 'video'] as const;
export type Mode = (typeof MODES)[number];
