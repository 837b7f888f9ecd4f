import type { ComponentChildren } from 'preact';
import { LIMITS } from '@parley/protocol';

/** An account's email, as the sign-in, sign-up and password-reset forms ask for it. */
export function EmailField(props: { id: string; value: string; onValue: (v: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>Email</label>
      <input
        id={props.id}
        type="email"
        autoComplete="email"
        required
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
    </div>
  );
}

/**
 * An account's password: the current one (sign-in), or a new one, with the server's length
 * limits and a hint that says the minimum. `children` go under it (a "Forgot password?" link).
 */
export function PasswordField(props: {
  id: string;
  label?: string;
  value: string;
  onValue: (v: string) => void;
  isNew: boolean;
  children?: ComponentChildren;
}) {
  const hint = `${props.id}-hint`;
  return (
    <div class="field">
      <label for={props.id}>{props.label ?? 'Password'}</label>
      <input
        id={props.id}
        type="password"
        autoComplete={props.isNew ? 'new-password' : 'current-password'}
        required
        minLength={props.isNew ? LIMITS.ACCOUNT_PASSWORD_MIN : undefined}
        maxLength={LIMITS.ACCOUNT_PASSWORD_MAX}
        aria-describedby={props.isNew ? hint : undefined}
        value={props.value}
        onInput={(e) => props.onValue(e.currentTarget.value)}
      />
      {props.isNew && (
        <p id={hint} class="muted hint">
          At least {LIMITS.ACCOUNT_PASSWORD_MIN} characters.
        </p>
      )}
      {props.children}
    </div>
  );
}
