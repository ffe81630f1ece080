import { describe, expect, it } from 'vitest';
import { splitStatements } from './migrator.js';

describe('splitStatements (no-transaction migrations)', () => {
  it('splits at top-level semicolons only', () => {
    const sql = `-- header; comment
create table t (a text default 'x;y', "b;c" int); /* block; /* nested; */ still; */
create function f() returns text language sql as $$ select 'a;b' $$;
create function g() returns text language plpgsql as $body$ begin return $q$;$q$; end $body$;
insert into t (a) values (E'it\\'s; escaped'), ('it''s; doubled');
create index concurrently if not exists t_a on t (a)
`;
    expect(splitStatements(sql)).toEqual([
      `-- header; comment\ncreate table t (a text default 'x;y', "b;c" int);`,
      `/* block; /* nested; */ still; */\ncreate function f() returns text language sql as $$ select 'a;b' $$;`,
      'create function g() returns text language plpgsql as $body$ begin return $q$;$q$; end $body$;',
      `insert into t (a) values (E'it\\'s; escaped'), ('it''s; doubled');`,
      'create index concurrently if not exists t_a on t (a)',
    ]);
  });

  it('drops pieces that hold only comments and whitespace', () => {
    expect(splitStatements('-- allmende:no-transaction\n;\n  ;select 1;\n-- end\n')).toEqual(['select 1;']);
  });
});
