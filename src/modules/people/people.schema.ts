import { type Static, Type } from 'typebox';
import { SAFE_TEXT } from '../../shared/text.js';

export const RoleSchema = Type.Union([
  Type.Literal('association_admin'),
  Type.Literal('association_finance'),
  Type.Literal('member_admin'),
  Type.Literal('member_clerk'),
  Type.Literal('auditor'),
]);

export const Person = Type.Object({
  id: Type.String({ format: 'uuid' }),
  memberId: Type.String({ format: 'uuid' }),
  email: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(RoleSchema),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  hasPassword: Type.Boolean(),
  sso: Type.Boolean(),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  version: Type.Integer(),
});
export type PersonDto = Static<typeof Person>;

export const PersonCreateBody = Type.Object(
  {
    email: Type.String({
      format: 'email',
      maxLength: 254,
      description:
        'Stored and compared in one exact form: NFC, lowercased, domain in IDNA ASCII. Addresses with ' +
        'invisible, bidi-control or confusable characters (e.g. U+0130) are refused.',
    }),
    displayName: Type.String({ minLength: 1, maxLength: 200, description: SAFE_TEXT }),
    roles: Type.Array(RoleSchema, {
      minItems: 1,
      maxItems: 5,
      description: 'The auditor role is granted only by an administrator of the association',
    }),
  },
  { additionalProperties: false },
);
export type PersonCreateInput = Static<typeof PersonCreateBody>;

/** The answer to adding a person: the person, and the invitation mail on its way. */
export const PersonCreated = Type.Object({
  person: Person,
  invitation: Type.Object({
    validHours: Type.Integer({ description: 'How long the link to set the password is valid' }),
    delivery: Type.Union([Type.Literal('smtp'), Type.Literal('log')], {
      description: 'smtp: sent by mail; log: no mail server is set up, the mail was written to the log',
    }),
  }),
});

export const PersonPatchBody = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: SAFE_TEXT })),
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: 5 })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('disabled')])),
  },
  { additionalProperties: false },
);
export type PersonPatchInput = Static<typeof PersonPatchBody>;

export const PersonParams = Type.Object(
  { memberId: Type.String({ format: 'uuid' }), personId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
);

/** The own password change (page only). Length and strength rules are the service's (passwordProblems). */
export const PasswordChangeBody = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
