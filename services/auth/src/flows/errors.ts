import { AppError } from '@necp/platform';

/** The API's error codes (problem+json `code`). */
export type ErrorCode = AppError['code'];

/** RFC 6749 §5.2 and RFC 7009 §2.2.1 error codes the token and revocation endpoints answer with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_token_type';

/** The API's code for each, for the problem members an OAuth error body carries beside `error`. */
const problemCodes: Record<OAuthErrorCode, ErrorCode> = {
  invalid_request: 'VALIDATION_ERROR',
  invalid_client: 'UNAUTHENTICATED',
  invalid_grant: 'UNAUTHENTICATED',
  unauthorized_client: 'FORBIDDEN',
  unsupported_grant_type: 'VALIDATION_ERROR',
  unsupported_token_type: 'VALIDATION_ERROR',
};

export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly error: OAuthErrorCode;
  readonly status: number;
  constructor(error: OAuthErrorCode, description: string, status = error === 'invalid_client' ? 401 : 400) {
    super(description);
    this.error = error;
    this.status = status;
  }

  get code(): ErrorCode {
    return problemCodes[this.error];
  }
}

/**
 * A refused password login. `invalid` is the one answer for an unknown login and a wrong password;
 * `locked` follows the same counting for both, so neither reveals whether the account exists.
 */
export class LoginRefused extends Error {
  override name = 'LoginRefused';
  readonly reason: 'invalid' | 'locked' | 'banned';
  readonly until: Date | null;
  constructor(reason: 'invalid' | 'locked' | 'banned', until: Date | null = null) {
    super(
      reason === 'invalid'
        ? 'The login or the password is wrong'
        : reason === 'locked'
          ? 'Too many failed logins from this address: try again later'
          : 'The account is banned',
    );
    this.reason = reason;
    this.until = until;
  }

  /** The problem+json form (for `/login`). */
  toAppError(): AppError {
    if (this.reason === 'locked') {
      const retryAfter = Math.max(1, Math.ceil(((this.until?.getTime() ?? Date.now()) - Date.now()) / 1000));
      return new AppError('ACCOUNT_LOCKED', this.message, {
        extensions: { lockedUntil: this.until?.toISOString() },
        headers: { 'retry-after': String(retryAfter) },
      });
    }
    if (this.reason === 'banned') {
      return new AppError('ACCOUNT_BANNED', this.message, { extensions: { until: this.until?.toISOString() ?? null } });
    }
    return new AppError('UNAUTHENTICATED', this.message);
  }
}
