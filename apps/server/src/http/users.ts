import { createHash, timingSafeEqual } from "node:crypto";
import { idProblem } from "@chatlog/core";
import { createRemoteJWKSet, decodeProtectedHeader, type JWTVerifyGetKey, jwtVerify } from "jose";

/**
 * Who a request acts as: the administrator (CHATLOG_API_TOKEN, or no auth configured at all) sees
 * every conversation; a user (the `sub` of a verified JSON Web Token) acts through forOwner.
 */
export type Actor = { kind: "admin" } | { kind: "user"; userId: string };

export const ADMIN: Actor = { kind: "admin" };

/** The JWT settings (CHATLOG_JWT_SECRET, CHATLOG_JWKS_URL, CHATLOG_JWT_ISSUER, CHATLOG_JWT_AUDIENCE). */
export interface JwtSettings {
  /** HS256 shared secret. */
  secret: string | undefined;
  /** Where the RS256 / ES256 public keys are published (fetched and cached by jose). */
  jwksUrl: string | undefined;
  issuer: string | undefined;
  audience: string | undefined;
}

export const NO_JWT: JwtSettings = {
  secret: undefined,
  jwksUrl: undefined,
  issuer: undefined,
  audience: undefined,
};

/** Asymmetric algorithms a JWKS key may sign with; HS256 is only ever checked against the secret. */
const JWKS_ALGORITHMS = ["RS256", "ES256"];

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/**
 * Resolves a bearer token to an actor, or null (401). Verification is jose's (a well-kept
 * library with no native dependencies): the signature against the key for the token's declared
 * algorithm only (HS256 against the secret, RS256 / ES256 against the JWKS, anything else
 * including `none` refused, so a token cannot pick a weaker check), then exp / nbf (a token
 * without exp is refused), iss and aud when configured, and a printable `sub`.
 */
export class Authenticator {
  private readonly adminDigest: Buffer | null;
  private readonly secret: Uint8Array | null;
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(
    apiToken: string | undefined,
    private readonly jwt: JwtSettings,
  ) {
    this.adminDigest = apiToken === undefined ? null : digest(apiToken);
    this.secret = jwt.secret === undefined ? null : new TextEncoder().encode(jwt.secret);
    this.jwks = jwt.jwksUrl === undefined ? null : createRemoteJWKSet(new URL(jwt.jwksUrl));
  }

  /** Whether requests must carry a token at all (false: everyone is the administrator, as before). */
  get required(): boolean {
    return this.adminDigest !== null || this.secret !== null || this.jwks !== null;
  }

  async actorOf(token: string): Promise<Actor | null> {
    // Compared in constant time, over hashes so lengths may differ.
    if (this.adminDigest !== null && timingSafeEqual(digest(token), this.adminDigest)) return ADMIN;
    const userId = await this.verifiedSubject(token);
    return userId === null ? null : { kind: "user", userId };
  }

  private async verifiedSubject(token: string): Promise<string | null> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return null;
    }
    const options = {
      requiredClaims: ["exp", "sub"],
      ...(this.jwt.issuer === undefined ? {} : { issuer: this.jwt.issuer }),
      ...(this.jwt.audience === undefined ? {} : { audience: this.jwt.audience }),
    };
    try {
      let sub: unknown;
      if (alg === "HS256" && this.secret !== null) {
        ({
          payload: { sub },
        } = await jwtVerify(token, this.secret, { ...options, algorithms: ["HS256"] }));
      } else if (alg !== undefined && JWKS_ALGORITHMS.includes(alg) && this.jwks !== null) {
        ({
          payload: { sub },
        } = await jwtVerify(token, this.jwks, { ...options, algorithms: JWKS_ALGORITHMS }));
      } else {
        return null;
      }
      return idProblem(sub) === null ? (sub as string) : null;
    } catch {
      return null;
    }
  }
}
