/**
 * OpenID Connect login (authorization code flow with PKCE, state and nonce) via openid-client.
 * Accounts are provisioned by administrators; an OIDC login maps to an existing person by the
 * provider's subject, or on first login by a verified e-mail address (compared in its exact normalised
 * form, src/shared/email.ts), which then links the subject.
 * The same interface is where BundID (via a SAML→OIDC bridge) or a state IdP plugs in.
 */
import * as oidc from 'openid-client';
import type { Config, OidcConfig } from '../../config/config.js';
import type { Database } from '../../db/database.js';
import { runInTx } from '../../db/tx.js';
import { memberScope, NO_MEMBERS, systemCtx } from '../../shared/context.js';
import { normalizeEmail } from '../../shared/email.js';
import { UnauthenticatedError } from '../../shared/errors.js';
import { recordAudit } from '../audit/audit.service.js';
import { linkOidcSubject } from '../people/people.service.js';
import { findLoginByOidc } from './login.repository.js';
import { createSession } from './sessions.service.js';

export interface OidcPending {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export class OidcLogin {
  #config: Promise<oidc.Configuration> | undefined;
  constructor(
    private readonly settings: OidcConfig,
    private readonly redirectUri: string,
  ) {}

  get label(): string {
    return this.settings.label;
  }

  private configuration(): Promise<oidc.Configuration> {
    this.#config ??= oidc
      .discovery(
        new URL(this.settings.issuer),
        this.settings.clientId,
        undefined,
        this.settings.clientSecret ? oidc.ClientSecretBasic(this.settings.clientSecret) : oidc.None(),
        this.settings.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((err) => {
        this.#config = undefined; // retry discovery next time
        throw err;
      });
    return this.#config;
  }

  /** Builds the authorization URL and the values to keep (in a signed, short-lived cookie) until the callback. */
  async start(): Promise<{ url: string; pending: OidcPending }> {
    const config = await this.configuration();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const pending: OidcPending = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Completes the flow: checks state, nonce and PKCE, maps the person, creates a session. */
  async finish(
    database: Database,
    appConfig: Config,
    callbackUrl: URL,
    pending: OidcPending,
    requestId: string,
  ): Promise<{ token: string; userId: string; memberId: string }> {
    const config = await this.configuration().catch(() => {
      throw new UnauthenticatedError('auth.oidc_failed');
    });
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: pending.state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch {
      throw new UnauthenticatedError('auth.oidc_failed');
    }
    if (!claims) throw new UnauthenticatedError('auth.oidc_failed');
    const issuer = claims.iss;
    const subject = claims.sub;
    // Only a verified address links an account, and only in its exact stored form: an address with
    // confusable or invisible characters (e.g. "İ", which the database's lower() folded to "i") is
    // not used at all.
    const claimed =
      claims.email_verified === true && typeof claims.email === 'string'
        ? normalizeEmail(claims.email)
        : null;
    const email = claimed?.ok ? claimed.email : null;
    const user = await runInTx(database, systemCtx('oidc', NO_MEMBERS, requestId), (tx) =>
      findLoginByOidc(tx, issuer, subject, email),
    );
    if (user?.status !== 'active') throw new UnauthenticatedError('auth.oidc_unknown_user');
    const token = await runInTx(
      database,
      systemCtx('oidc', memberScope(user.member_id), requestId),
      async (tx) => {
        if (!user.oidc_subject) {
          await linkOidcSubject(tx, user.id, issuer, subject);
          // Linking changes how the person can log in: audited like any change (issuer and subject
          // go into the digest only).
          recordAudit(tx, {
            action: 'user.sso_linked',
            memberId: user.member_id,
            objectType: 'user',
            objectId: user.id,
            actor: { type: 'user', id: user.id },
            data: { issuer, subject },
          });
        }
        return createSession(tx, appConfig, { id: user.id, memberId: user.member_id }, 'oidc');
      },
    );
    return { token, userId: user.id, memberId: user.member_id };
  }
}
