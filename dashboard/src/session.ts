/**
 * The API key of this tab. Kept in sessionStorage: it survives a reload but not the tab, and
 * is never written anywhere a later visitor of this browser could read it.
 */
const STORAGE_KEY = 'longrun.apiKey';

export function savedKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function saveKey(key: string): void {
  sessionStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
