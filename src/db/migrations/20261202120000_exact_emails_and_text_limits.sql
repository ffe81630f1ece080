-- Security probe findings (issue 7, point 8).
--
-- 1. E-mail addresses are compared in one exact stored form (src/shared/email.ts: trimmed, NFC,
--    lowercased once by the application, domain in IDNA ASCII), never by lower(): PostgreSQL's case
--    folding differs from JavaScript's and, depending on the locale, folds "İ" (U+0130) to "i", so an
--    identity provider vouching for "…@bad-belzİg.example" was linked to "…@bad-belzig.example".
-- 2. Free-text columns of members get the same limits as the API contract, counted the same way
--    (code points: ajv's maxLength and char_length agree; JavaScript's .length does not).
-- 3. Names (members, people, API tokens) refuse invisible and direction-changing characters.

-- Scope for the data changes below: the owner is subject to row-level security (forced) as well.
select set_config('allmende.all_members', 'on', true);

-- ---------------------------------------------------------------------------------------------
-- 1. E-mail addresses.
-- Existing rows were lowercased by the application already; NFC and ASCII lowercasing here (collation
-- "C" folds only A–Z). Domains in Unicode cannot be converted to IDNA in SQL: such rows (there were
-- none in any installation this migration knows of) keep their spelling and are reported by the check
-- below staying NOT VALID.
update users
   set email = lower(normalize(btrim(email), NFC) collate "C")
 where email <> lower(normalize(btrim(email), NFC) collate "C");

drop index users_email_unique;
create unique index users_email_unique on users (email);

-- The stored form: no upper-case ASCII, no whitespace or controls, NFC, an ASCII domain.
alter table users add constraint users_email_normalized check (
  email = lower(email collate "C")
  and email is nfc normalized
  and email !~ '[[:space:][:cntrl:]]'
  and email ~ '^[^@]+@[a-z0-9]([a-z0-9.-]*[a-z0-9])?$'
) not valid;
do $$
begin
  if not exists (
    select 1 from users
     where not (email = lower(email collate "C") and email is nfc normalized
                and email !~ '[[:space:][:cntrl:]]' and email ~ '^[^@]+@[a-z0-9]([a-z0-9.-]*[a-z0-9])?$')
  ) then
    alter table users validate constraint users_email_normalized;
  else
    raise notice 'users_email_normalized: some stored addresses have a non-ASCII domain; '
      'change them with the application so that they are stored in IDNA form';
  end if;
end $$;

-- The look-ups for login and SSO: exact equality on the stored form. The caller passes the address
-- normalised by the application (normalizeEmail); anything else simply matches nothing.
create or replace function auth_find_user_by_email(p_email text)
  returns table (id uuid, member_id uuid, password_hash text, status text)
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query select u.id, u.member_id, u.password_hash, u.status from users u where u.email = p_email;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

create or replace function auth_find_user_by_oidc(p_issuer text, p_subject text, p_email text)
  returns table (id uuid, member_id uuid, status text, oidc_subject text)
  language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  prev text := current_setting('allmende.all_members', true);
begin
  perform set_config('allmende.all_members', 'on', true);
  return query select u.id, u.member_id, u.status, u.oidc_subject from users u
    where (u.oidc_issuer = p_issuer and u.oidc_subject = p_subject)
       or (p_email is not null and u.email = p_email and u.oidc_subject is null)
    order by (u.oidc_subject is not null) desc
    limit 1;
  perform set_config('allmende.all_members', coalesce(prev, ''), true);
end $$;

-- ---------------------------------------------------------------------------------------------
-- 2. Text limits of members (the same numbers as MemberFields in members.schema.ts), in code points.
alter table members
  add constraint members_street_length check (char_length(street) <= 200),
  add constraint members_city_length check (char_length(city) <= 100),
  add constraint members_contact_name_length check (char_length(contact_name) <= 200),
  add constraint members_contact_email_length check (char_length(contact_email) <= 254),
  add constraint members_contact_phone_length check (char_length(contact_phone) <= 50),
  add constraint members_website_length check (char_length(website) <= 300),
  add constraint members_leitweg_id_length check (char_length(leitweg_id) <= 46);

-- ---------------------------------------------------------------------------------------------
-- 3. Names never carry controls, bidi embeddings/overrides/isolates/marks, zero-width characters or a
--    BOM (the application's isSafeText refuses more; this is the wall behind it).
alter table members add constraint members_name_visible
  check (name !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]');
alter table users add constraint users_display_name_visible
  check (display_name !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]');
alter table api_tokens add constraint api_tokens_name_visible
  check (name !~ '[\x01-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]');

select set_config('allmende.all_members', '', true);
