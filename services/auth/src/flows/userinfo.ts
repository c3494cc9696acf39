import { AppError, type AuthContext } from '@necp/platform';
import { findAccount } from '../store/accounts.ts';
import type { AuthApp } from './auth-app.ts';

/**
 * OpenID Connect UserInfo (Core §5.3): `sub` and the `profile` claims of the token's subject. A
 * client's own token (no session) has no account behind it: its subject alone.
 */
export async function userInfo(app: AuthApp, caller: AuthContext) {
  if (!caller.sessionId) return { sub: caller.accountId, roles: caller.roles };
  const account = await findAccount(app.db, caller.accountId);
  if (!account) throw new AppError('NOT_FOUND', 'No account for this token');
  return { sub: account.id, preferred_username: account.username, roles: account.roles };
}
