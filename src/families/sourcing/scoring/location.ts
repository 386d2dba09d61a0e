/**
 * Location fit between a role's location text ("Berlin, Germany (hybrid) or Remote (EU)",
 * "Seattle, WA", "Remote - US") and a candidate's location (JSON Resume `city`, `region`,
 * `countryCode`, or free text).
 *
 * Rules, best match wins: same city 1; remote role and the candidate inside its region (or a
 * remote role with no region) 1; same country 0.7 (relocation within a country); same region
 * (EU, US, …) 0.4; otherwise 0. A role with no location says nothing: 1 for everyone. A
 * candidate with no location gets 0.5: unknown, neither fit nor misfit.
 */

const COUNTRIES: Record<string, string[]> = {
  US: ['united states', 'usa', 'u.s.', 'u.s.a.', 'us', 'america'],
  CA: ['canada'],
  GB: ['united kingdom', 'uk', 'england', 'scotland', 'wales', 'great britain', 'britain', 'gb'],
  IE: ['ireland'],
  DE: ['germany', 'deutschland'],
  FR: ['france'],
  NL: ['netherlands', 'holland', 'the netherlands'],
  BE: ['belgium'],
  ES: ['spain'],
  PT: ['portugal'],
  IT: ['italy'],
  AT: ['austria'],
  CH: ['switzerland'],
  SE: ['sweden'],
  NO: ['norway'],
  DK: ['denmark'],
  FI: ['finland'],
  PL: ['poland'],
  CZ: ['czechia', 'czech republic'],
  SK: ['slovakia'],
  HU: ['hungary'],
  RO: ['romania'],
  GR: ['greece'],
  EE: ['estonia'],
  LT: ['lithuania'],
  LV: ['latvia'],
  UA: ['ukraine'],
  IN: ['india'],
  SG: ['singapore'],
  JP: ['japan'],
  AU: ['australia'],
  NZ: ['new zealand'],
  BR: ['brazil'],
  MX: ['mexico'],
  AR: ['argentina'],
  IL: ['israel'],
  AE: ['united arab emirates', 'uae'],
  ZA: ['south africa'],
  NG: ['nigeria'],
  KE: ['kenya'],
  CN: ['china'],
  KR: ['south korea', 'korea'],
  PH: ['philippines'],
  VN: ['vietnam'],
  TR: ['turkey', 'türkiye'],
  EG: ['egypt'],
};

const EU = ['AT', 'BE', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HU', 'IE', 'IT', 'LT', 'LV', 'NL', 'PL', 'PT', 'RO', 'SE', 'SK'];
const EUROPE = [...EU, 'GB', 'CH', 'NO', 'UA'];
const REGIONS: [RegExp, string[]][] = [
  [/\b(eu|european union)\b/, EU],
  [/\b(europe|emea|cet|cest)\b/, EUROPE],
  [/\b(north america|americas)\b/, ['US', 'CA', 'MX']],
  [/\b(latam|latin america|south america)\b/, ['BR', 'MX', 'AR']],
  [/\b(apac|asia)\b/, ['IN', 'SG', 'JP', 'AU', 'NZ', 'CN', 'KR', 'PH', 'VN']],
];

const US_STATES =
  'AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC'.split(
    ' ',
  );

/** Well-known cities, so "Seattle" or "London" alone still names a country. */
const CITIES: Record<string, string> = {
  seattle: 'US',
  'new york': 'US',
  nyc: 'US',
  brooklyn: 'US',
  'san francisco': 'US',
  'bay area': 'US',
  austin: 'US',
  boston: 'US',
  chicago: 'US',
  'los angeles': 'US',
  denver: 'US',
  portland: 'US',
  atlanta: 'US',
  miami: 'US',
  'san jose': 'US',
  'palo alto': 'US',
  'mountain view': 'US',
  redmond: 'US',
  bellevue: 'US',
  'san diego': 'US',
  philadelphia: 'US',
  dallas: 'US',
  houston: 'US',
  toronto: 'CA',
  vancouver: 'CA',
  montreal: 'CA',
  london: 'GB',
  manchester: 'GB',
  edinburgh: 'GB',
  bristol: 'GB',
  cambridge: 'GB',
  dublin: 'IE',
  berlin: 'DE',
  munich: 'DE',
  hamburg: 'DE',
  frankfurt: 'DE',
  cologne: 'DE',
  paris: 'FR',
  lyon: 'FR',
  amsterdam: 'NL',
  rotterdam: 'NL',
  utrecht: 'NL',
  brussels: 'BE',
  madrid: 'ES',
  barcelona: 'ES',
  lisbon: 'PT',
  porto: 'PT',
  milan: 'IT',
  rome: 'IT',
  vienna: 'AT',
  zurich: 'CH',
  geneva: 'CH',
  stockholm: 'SE',
  oslo: 'NO',
  copenhagen: 'DK',
  helsinki: 'FI',
  warsaw: 'PL',
  krakow: 'PL',
  prague: 'CZ',
  bratislava: 'SK',
  budapest: 'HU',
  bucharest: 'RO',
  athens: 'GR',
  tallinn: 'EE',
  vilnius: 'LT',
  riga: 'LV',
  kyiv: 'UA',
  bangalore: 'IN',
  bengaluru: 'IN',
  hyderabad: 'IN',
  pune: 'IN',
  mumbai: 'IN',
  delhi: 'IN',
  singapore: 'SG',
  tokyo: 'JP',
  sydney: 'AU',
  melbourne: 'AU',
  auckland: 'NZ',
  'sao paulo': 'BR',
  'são paulo': 'BR',
  'mexico city': 'MX',
  'buenos aires': 'AR',
  'tel aviv': 'IL',
  dubai: 'AE',
  'cape town': 'ZA',
  lagos: 'NG',
  nairobi: 'KE',
};

export interface Place {
  city: string | null;
  countryCode: string | null;
  text: string;
}

/** A place from JSON Resume location fields; the country is inferred from the city or US state when missing. */
export function placeOf(location: { city?: string; region?: string; countryCode?: string; address?: string } | undefined): Place | null {
  if (!location) return null;
  const text = [location.city, location.region, location.countryCode].filter(Boolean).join(', ') || location.address || '';
  if (!text) return null;
  const city = location.city?.trim().toLowerCase() || null;
  let countryCode = location.countryCode?.trim().toUpperCase() || null;
  if (countryCode && countryCode.length !== 2) countryCode = countryFromText(countryCode.toLowerCase());
  if (!countryCode && location.region && US_STATES.includes(location.region.trim().toUpperCase())) countryCode = 'US';
  countryCode ??= countryFromText(text.toLowerCase());
  return { city, countryCode, text };
}

function countryFromText(text: string): string | null {
  for (const [code, names] of Object.entries(COUNTRIES)) {
    for (const name of names) if (new RegExp(`(^|[^a-z])${name.replace(/\./g, '\\.')}($|[^a-z])`).test(text)) return code;
  }
  for (const [city, code] of Object.entries(CITIES)) if (text.includes(city)) return code;
  const state = /,\s*([A-Z]{2})\b/.exec(text.toUpperCase());
  if (state && US_STATES.includes(state[1]!)) return 'US';
  return null;
}

export interface RoleLocation {
  text: string;
  remote: boolean;
  /** Cities named, lowercase. */
  cities: string[];
  /** Countries named or implied by the cities. */
  countries: string[];
  /** Where a remote hire may live; empty means anywhere. */
  remoteRegion: string[];
}

export function parseRoleLocation(text: string | undefined): RoleLocation | null {
  if (!text || !text.trim()) return null;
  const lower = text.toLowerCase();
  const cities = Object.keys(CITIES).filter((c) => new RegExp(`(^|[^a-z])${c}($|[^a-z])`).test(lower));
  const countries = new Set(cities.map((c) => CITIES[c]!));
  for (const [code, names] of Object.entries(COUNTRIES)) {
    if (names.some((n) => new RegExp(`(^|[^a-z.])${n.replace(/\./g, '\\.')}($|[^a-z])`).test(lower))) countries.add(code);
  }
  const state = /,\s*([A-Z]{2})\b/.exec(text);
  if (state && US_STATES.includes(state[1]!)) countries.add('US');
  const remote = /\b(remote|anywhere|distributed|work from home|wfh)\b/.test(lower);
  const remoteRegion = new Set<string>();
  if (remote) {
    for (const [pattern, codes] of REGIONS) if (pattern.test(lower)) codes.forEach((c) => remoteRegion.add(c));
    // "Remote (US)", "Remote - UK": a country named beside "remote" bounds it.
    const near = /remote\s*[(\-–:,]?\s*([a-z. ]{2,30})\)?/.exec(lower)?.[1] ?? '';
    const code = near ? countryFromText(near) : null;
    if (code) remoteRegion.add(code);
  }
  return { text, remote, cities, countries: [...countries], remoteRegion: [...remoteRegion] };
}

export interface LocationFit {
  score: number;
  reason: string;
}

export function locationFit(role: RoleLocation | null, place: Place | null): LocationFit {
  if (!role) return { score: 1, reason: 'the role names no location' };
  if (!place) return { score: 0.5, reason: 'the profile has no location' };
  const country = place.countryCode;
  if (place.city && role.cities.includes(place.city)) return { score: 1, reason: `based in ${place.text}` };
  if (role.remote && (role.remoteRegion.length === 0 || (country !== null && role.remoteRegion.includes(country)))) {
    return { score: 1, reason: `based in ${place.text}, within the remote area` };
  }
  if (country && role.countries.includes(country)) return { score: 0.7, reason: `based in ${place.text}, same country` };
  const region = REGIONS.find(([, codes]) => country && codes.includes(country) && role.countries.some((c) => codes.includes(c)));
  if (region) return { score: 0.4, reason: `based in ${place.text}, same region but another country` };
  return { score: 0, reason: `based in ${place.text}, outside ${role.text}` };
}
