import type { Accounts } from '../auth/accounts.ts';
import type { OidcConfig } from '../config/index.ts';
import type { IdentityStore, UserStore } from '../store/index.ts';
import type { Log } from '../telemetry/log.ts';
import { AccountLinker } from './accountLink.ts';
import { LoginStates } from './loginState.ts';
import { OidcProvider } from './provider.ts';
import { SsoRoutes } from './routes.ts';
import type { IncomingMessage } from 'node:http';

export { SsoRoutes } from './routes.ts';
export { SsoError } from './errors.ts';

/** Single sign-on with an OpenID provider (issue 21), or its routes saying it is off. */
export function createSso(options: {
  config: OidcConfig | undefined;
  accounts: Accounts;
  stores: { users: UserStore; identities: IdentityStore };
  jwtSecret: Uint8Array;
  refreshTtlS: number;
  overTls: (req: IncomingMessage) => boolean;
  log: Log;
}): SsoRoutes {
  const { config, accounts, stores, jwtSecret, refreshTtlS, overTls, log } = options;
  const oidc = config && {
    config,
    provider: new OidcProvider(config, log),
    linker: new AccountLinker(stores, log),
  };
  return new SsoRoutes({
    oidc,
    accounts,
    states: new LoginStates(jwtSecret),
    refreshTtlS,
    overTls,
  });
}
