/** Who a valid access token says the bearer is. */
export interface AuthUser {
  id: string;
  name: string;
}

/** What the WebSocket side needs from accounts: checking a `join`'s access token. */
export interface TokenVerifier {
  /** The user, or undefined for a token that is malformed, forged, of another alg, or expired. */
  verify(token: string): Promise<AuthUser | undefined>;
}
