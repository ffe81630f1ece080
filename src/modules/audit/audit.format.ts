/**
 * How the audit trail reads to a person: names instead of ids (resolved at read time), details as
 * words ("Methode: Passwort"), times in Berlin. Pure functions over the translator and a name book.
 */
import { formatDate, isIsoDate, TIME_ZONE } from '../../shared/dates.js';
import { numberFormat, type T } from '../../web/i18n/index.js';

/** Names of the ids an event refers to, looked up when the trail is read. */
export interface NameBook {
  readonly members: ReadonlyMap<string, string>;
  readonly users: ReadonlyMap<string, string>;
  readonly tokens: ReadonlyMap<string, string>;
}

export interface EventRefs {
  readonly memberId: string;
  readonly details?: Record<string, unknown>;
  readonly actorType: string;
  readonly actorId: string;
  readonly objectType: string;
  readonly objectId: string | null;
}

/** Which ids of each kind a set of events refers to (for one look-up per kind). */
export function idsToName(events: readonly EventRefs[]): {
  members: string[];
  users: string[];
  tokens: string[];
} {
  const members = new Set<string>();
  const users = new Set<string>();
  const tokens = new Set<string>();
  for (const e of events) {
    members.add(e.memberId);
    const filtered = e.details?.member;
    if (typeof filtered === 'string') members.add(filtered);
    if (e.actorType === 'user') users.add(e.actorId);
    if (e.actorType === 'token') tokens.add(e.actorId);
    if (e.objectId) {
      if (e.objectType === 'member') members.add(e.objectId);
      if (e.objectType === 'user') users.add(e.objectId);
      if (e.objectType === 'api_token') tokens.add(e.objectId);
    }
  }
  return { members: [...members], users: [...users], tokens: [...tokens] };
}

/** The first of the keys that has a text, else undefined. */
function firstText(t: T, keys: readonly string[]): string | undefined {
  for (const k of keys) {
    const s = t.code(k);
    if (s !== k) return s;
  }
  return undefined;
}

/** Who acted, in words: a person's or a token's name; an unknown id shows the id. */
export function actorText(e: EventRefs, names: NameBook, t: T): string {
  const kind = firstText(t, [`audit.actor_kind.${e.actorType}`]) ?? e.actorType;
  switch (e.actorType) {
    case 'user':
      return names.users.get(e.actorId) ?? `${kind} ${e.actorId}`;
    case 'token': {
      const name = names.tokens.get(e.actorId);
      return name ? `${kind} „${name}“` : `${kind} ${e.actorId}`;
    }
    case 'anonymous':
      return kind;
    default:
      return `${kind}: ${e.actorId}`;
  }
}

/** What the event is about, in words: a member's, person's or token's name, or the kind of object. */
export function objectText(e: EventRefs, names: NameBook, t: T): string {
  const kind = firstText(t, [`audit.object_type.${e.objectType}`]) ?? e.objectType;
  if (!e.objectId) return kind;
  const name =
    e.objectType === 'member'
      ? names.members.get(e.objectId)
      : e.objectType === 'user'
        ? names.users.get(e.objectId)
        : e.objectType === 'api_token'
          ? names.tokens.get(e.objectId)
          : undefined;
  return name ? `${kind} ${name}` : `${kind} ${e.objectId}`;
}

/** Keys whose values are codes of another list of texts. */
const VALUE_PREFIXES: Record<string, readonly string[]> = {
  roles: ['role.'],
  scopes: ['scope.'],
  kind: ['kind.'],
  status: ['status.', 'audit.value.status.'],
  from: ['status.'],
  to: ['status.'],
};

/** Keys not shown to people (machine keys of the trail itself). */
const HIDDEN_KEYS = new Set(['view']);

function valueText(key: string, v: unknown, objectType: string, t: T, lang: 'de' | 'en'): string {
  if (v === null || v === undefined) return '–';
  if (typeof v === 'boolean') return t.code(v ? 'audit.value.true' : 'audit.value.false');
  if (typeof v === 'number') return Number.isFinite(v) ? numberFormat(lang).format(v) : String(v);
  if (Array.isArray(v)) return v.map((x) => valueText(key, x, objectType, t, lang)).join(', ');
  if (typeof v === 'string') {
    if (isIsoDate(v)) return formatDate(v, lang);
    const keys = [
      `audit.value.${key}.${v}`,
      ...(VALUE_PREFIXES[key] ?? []).map((p) => `${p}${v}`),
      ...(key === 'fields' ? [`${objectType === 'user' ? 'people' : 'members'}.${v}`, `people.${v}`] : []),
    ];
    return firstText(t, keys) ?? v;
  }
  try {
    return JSON.stringify(v).slice(0, 200);
  } catch {
    return '…';
  }
}

/** Details as "Label: value" pairs; an unknown key shows as it is, an unknown code value too. */
export function detailsText(
  details: Record<string, unknown>,
  objectType: string,
  t: T,
  lang: 'de' | 'en',
  names?: NameBook,
): string {
  return Object.entries(details)
    .filter(([k]) => !HIDDEN_KEYS.has(k))
    .map(([k, v]) => {
      const label = firstText(t, [`audit.detail.${k}`]) ?? k;
      const named = k === 'member' && typeof v === 'string' ? names?.members.get(v) : undefined;
      return `${label}: ${named ?? valueText(k, v, objectType, t, lang)}`;
    })
    .join(' · ');
}

const deStamp = new Intl.DateTimeFormat('de-DE', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const enStamp = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** An instant in Berlin local time for a spreadsheet: `02.12.2026 14:05:09` (de), `02/12/2026 14:05:09` (en). */
export function localStamp(d: Date, lang: 'de' | 'en'): string {
  return (lang === 'de' ? deStamp : enStamp).format(d).replace(', ', ' ');
}

/** A CSV cell: quoted, with spreadsheet formulas neutralised (CSV injection). */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}
