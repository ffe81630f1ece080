/**
 * The pure parts of the OParl API: Berlin date-times with their offset (§2.4), the list query (filters,
 * limit, page) and a list page's pagination and links (§2.5).
 */
import { describe, expect, it } from 'vitest';
import {
  listPage,
  MAX_PAGE_SIZE,
  type OParlObject,
  OParlQueryError,
  oparlDateTime,
  parseListQuery,
} from './oparl.service.js';

describe('oparlDateTime', () => {
  it('writes Berlin time with the offset of the day, whole seconds, across both DST changes', () => {
    expect(oparlDateTime(new Date('2021-03-11T15:00:00.789Z'))).toBe('2021-03-11T16:00:00+01:00');
    expect(oparlDateTime(new Date('2026-03-29T00:59:59Z'))).toBe('2026-03-29T01:59:59+01:00');
    expect(oparlDateTime(new Date('2026-03-29T01:00:00Z'))).toBe('2026-03-29T03:00:00+02:00');
    expect(oparlDateTime(new Date('2026-10-25T00:30:00Z'))).toBe('2026-10-25T02:30:00+02:00');
    expect(oparlDateTime(new Date('2026-10-25T01:30:00Z'))).toBe('2026-10-25T02:30:00+01:00');
    expect(oparlDateTime(new Date('2026-12-31T23:00:00Z'))).toBe('2027-01-01T00:00:00+01:00');
  });
});

describe('list query and pages', () => {
  const objects: OParlObject[] = [1, 2, 3, 4, 5].map((n) => ({
    id: `https://x.example/oparl/v1/meeting/${n}`,
    type: 'https://schema.oparl.org/1.1/Meeting',
    created: `2024-0${n}-01T12:00:00+01:00`,
    modified: `2024-0${n}-02T12:00:00+01:00`,
  }));
  const list = 'https://x.example/oparl/v1/body/verband/meeting';

  it('reads the filters, limit and page, and refuses what is not one', () => {
    const q = parseListQuery({ created_since: '2024-02-01T11:00:00Z', limit: '2', page: '2', other: 'x' });
    expect(q).toMatchObject({ limit: 2, page: 2, omitInternal: false });
    expect(q.filters.created_since?.text).toBe('2024-02-01T11:00:00Z');
    expect(parseListQuery({ limit: '5000' }).limit).toBe(MAX_PAGE_SIZE);
    for (const bad of [
      { created_since: '2024-02-01' },
      { modified_until: '2024-02-31T00:00:00+01:00x' },
      { limit: '0' },
      { page: '1.5' },
      { omit_internal: 'yes' },
      { limit: ['1', '2'] },
    ])
      expect(() => parseListQuery(bad), JSON.stringify(bad)).toThrow(OParlQueryError);
  });

  it('filters inclusively, paginates and keeps the parameters in every link in one order', () => {
    const q = parseListQuery({ limit: '2', modified_since: '2024-02-02T12:00:00+01:00', page: '2' });
    const page = listPage(objects, q, list)!;
    expect(page.data.map((o) => o.id.slice(-1))).toEqual(['4', '5']);
    expect(page.pagination).toEqual({ totalElements: 4, elementsPerPage: 2, currentPage: 2, totalPages: 2 });
    const params = 'limit=2&modified_since=2024-02-02T12%3A00%3A00%2B01%3A00';
    expect(page.links).toEqual({
      first: `${list}?${params}`,
      prev: `${list}?${params}`,
      self: `${list}?${params}&page=2`,
      last: `${list}?${params}&page=2`,
    });
    expect(listPage(objects, { ...q, page: 3 }, list)).toBeUndefined();
    const empty = listPage(objects, parseListQuery({ created_until: '2023-01-01T00:00:00+01:00' }), list)!;
    expect(empty.data).toEqual([]);
    expect(empty.links).not.toHaveProperty('next');
  });
});
